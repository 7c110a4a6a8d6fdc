/**
 * VM power control for DR: start the dormant VMs of the recovery region and wait for their guests.
 *
 * <ul>
 *   <li>{@link io.drctl.vm.VmProvider} — {@code status} (read-only probe), idempotent {@code start}/{@code stop}
 *       returning {@link io.drctl.vm.PowerResult} (CHANGED / ALREADY_SATISFIED); failures are
 *       {@link io.drctl.vm.VmException} classified by {@link io.drctl.vm.VmException.Kind}.</li>
 *   <li>{@link io.drctl.vm.VsphereRestProvider} — vCenter 7+ REST ({@code /api/session},
 *       {@code /api/vcenter/vm/{vm}/power}); configured by {@link io.drctl.vm.VsphereConfig} with the password as a
 *       {@link io.drctl.vm.SecretRef} and an optional {@link io.drctl.vm.TrustStoreRef}.</li>
 *   <li>{@link io.drctl.vm.CommandVmProvider} — {@link io.drctl.vm.CommandTemplates} (govc, virsh, aws, az,
 *       PowerShell, lab/vmctl) run through an {@link io.drctl.host.CommandRunner}.</li>
 *   <li>{@link io.drctl.vm.GuestWait} + {@link io.drctl.vm.ReadinessCheck} — wait until SSH / ports / a greeting /
 *       a command say the guest is up; {@link io.drctl.vm.GuestWait#checkOnce} is the read-only probe.</li>
 * </ul>
 * Nothing here knows YAML, runbooks or the engine.
 */
package io.drctl.vm;
