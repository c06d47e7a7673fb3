namespace ImpVpn.Core.WireGuard.WgTool;

/// <summary>
/// Reads and changes devices through wg(8): the Linux kernel module's interfaces, and on Windows WireGuardNT's
/// tunnels through wg.exe (which has no UAPI pipe to speak to). One `wg set` per change, naming only what changes.
/// </summary>
internal sealed class WgCommands(ICommandRunner runner, string wg, WireGuardBackendKind backend)
{
    /// <summary>Every interface wg sees. Failures are thrown: an empty list must mean "none", not "could not ask".</summary>
    public async Task<IReadOnlyList<string>> ListInterfacesAsync(CancellationToken cancellationToken)
    {
        var output = await runner.RunCheckedAsync(wg, ["show", "interfaces"], cancellationToken).ConfigureAwait(false);
        return output.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The device read from `wg show NAME dump`; null when wg cannot show it (no such device).</summary>
    public async Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(wg, ["show", name, "dump"], cancellationToken).ConfigureAwait(false);
        return result.ExitCode != 0 ? null : WgDumpParser.Parse(name, result.Output, backend);
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
