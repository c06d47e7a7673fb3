using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices.WgTool;

/// <summary>
/// Devices read and changed through wg(8): the Linux kernel module's interfaces, and on Windows WireGuardNT's tunnels
/// through wg.exe (which serves no UAPI pipe to speak to). One `wg set` per change, naming only what changes, so a
/// change costs the same on a device with thousands of peers.
/// </summary>
/// <param name="wg">The wg tool to run: "wg", or wg.exe's full path.</param>
/// <param name="kind">What the devices wg reaches here are, reported in <see cref="WireGuardDevice.Backend"/>.</param>
/// <param name="available">Whether such devices can exist here at all, asked on every call (the kernel module is
/// loaded on demand by `ip link add … type wireguard`). Without it no device is listed and wg never runs, so a host
/// that uses only wireguard-go need not have wg installed.</param>
internal sealed class WgToolDevices(ICommandRunner runner, string wg, WireGuardBackendKind kind, Func<bool> available) : IDeviceBackend
{
    public WireGuardBackendKind Kind => kind;

    // Compared as the platform names interfaces: Windows tunnel names are case-insensitive, Linux ones are not.
    private StringComparer NameComparer =>
        kind == WireGuardBackendKind.WindowsTunnelService ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public async Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) =>
        (await ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name, NameComparer);

    /// <summary>Every interface wg sees. Failures are thrown: an empty list must mean "none", not "could not ask".</summary>
    public async Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        if (!available())
        {
            return [];
        }

        var output = await runner.RunCheckedAsync(wg, ["show", "interfaces"], cancellationToken).ConfigureAwait(false);
        return output.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The device read from `wg show NAME dump`; null when wg cannot show it (no such device).</summary>
    public async Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken)
    {
        if (!available())
        {
            return null;
        }

        var result = await runner.RunAsync(wg, ["show", name, "dump"], cancellationToken).ConfigureAwait(false);
        return result.ExitCode != 0 ? null : WgDumpParser.Parse(name, result.Output, kind);
    }

    public async Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        var current = WgSetArguments.NeedsCurrentState(config)
            ? await GetDeviceAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new WireGuardDeviceNotFoundException(name)
            : null;
        var secrets = new List<SecretFile>();
        try
        {
            var arguments = WgSetArguments.Build(name, config, current, content =>
            {
                var file = new SecretFile(content);
                secrets.Add(file);
                return file.FilePath;
            });
            await runner.RunCheckedAsync(wg, arguments, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            secrets.ForEach(s => s.Dispose());
        }
    }
}
