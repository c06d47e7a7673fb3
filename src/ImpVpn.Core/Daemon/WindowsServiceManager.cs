using ImpVpn.Core.WireGuard.Commands;

namespace ImpVpn.Core.Daemon;

/// <summary>
/// impvpnd as a Windows service, through sc.exe: created to start automatically (delayed, after the network),
/// restarted by the service control manager after a failure, and running as LocalSystem, which WireGuard for
/// Windows' tunnel services need.
/// </summary>
public sealed class WindowsServiceManager : IDaemonServiceManager
{
    private readonly ICommandRunner _runner;

    public WindowsServiceManager()
        : this(ProcessCommandRunner.Instance)
    {
    }

    internal WindowsServiceManager(ICommandRunner runner) => _runner = runner;

    public string DefinitionPath => "service " + DaemonServiceDefinition.ServiceName;

    /// <summary>The sc.exe calls that install <paramref name="definition"/>, in order (tests read them).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> InstallCommands(DaemonServiceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var binPath = $"\"{definition.HostPath}\" \"{definition.DaemonPath}\" --config \"{definition.ConfigPath}\"";
        var name = DaemonServiceDefinition.ServiceName;
        return
        [
            ["create", name, "binPath=", binPath, "start=", "delayed-auto", "DisplayName=", $"ImpVpn daemon {definition.Version}"],
            ["description", name, "ImpVpn: WireGuard tunnels sold and refreshed over Lightning. Installed by ImpVpn's daemon installer."],
            // Restart after a crash, as systemd's Restart=on-failure; the counter resets after a day.
            ["failure", name, "reset=", "86400", "actions=", "restart/10000/restart/10000/restart/60000"],
            ["failureflag", name, "1"],
        ];
    }

    public async Task InstallAsync(DaemonServiceDefinition definition, CancellationToken cancellationToken)
    {
        foreach (var command in InstallCommands(definition))
        {
            await ScAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => ScAsync(["start", DaemonServiceDefinition.ServiceName], cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => ScAsync(["stop", DaemonServiceDefinition.ServiceName], cancellationToken);

    public async Task<DaemonServiceStatus> QueryAsync(CancellationToken cancellationToken)
    {
        var query = await _runner.RunAsync("sc.exe", ["queryex", DaemonServiceDefinition.ServiceName], cancellationToken).ConfigureAwait(false);
        if (query.ExitCode != 0)
        {
            // 1060: the service does not exist.
            return new DaemonServiceStatus(false, "not installed", null, null, null, DefinitionPath);
        }

        var state = Field(query.Output, "STATE")?.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? DaemonServiceStatus.UnknownState;
        var pid = int.TryParse(Field(query.Output, "PID"), out var parsed) && parsed > 0 ? parsed : (int?)null;
        var config = await _runner.RunAsync("sc.exe", ["qc", DaemonServiceDefinition.ServiceName], cancellationToken).ConfigureAwait(false);
        var (daemonPath, configPath) = ServiceCommandLine.DaemonAndConfig(ServiceCommandLine.Split(Field(config.Output, "BINARY_PATH_NAME") ?? string.Empty, backslashEscapes: false));
        return new DaemonServiceStatus(true, state, pid, configPath, SystemdUnit.VersionOf(daemonPath), DefinitionPath);
    }

    public async Task UninstallAsync(CancellationToken cancellationToken)
    {
        // Stopping a stopped service fails (1062): that is no reason not to delete it.
        await _runner.RunAsync("sc.exe", ["stop", DaemonServiceDefinition.ServiceName], cancellationToken).ConfigureAwait(false);
        await ScAsync(["delete", DaemonServiceDefinition.ServiceName], cancellationToken).ConfigureAwait(false);
    }

    private static string? Field(string output, string name) =>
        output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();

    private async Task ScAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync("sc.exe", arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ServiceManagerException("sc.exe " + string.Join(' ', arguments), result.ExitCode, result.Output + result.Error);
        }
    }
}
