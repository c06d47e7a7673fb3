namespace ImpVpn.Core.Daemon;

/// <summary>What a service manager is told to run: the .NET host, impvpnd.dll in its versioned folder, and the
/// configuration. <paramref name="StorePath"/> and <paramref name="Buys"/> decide what the service may write
/// and which capabilities it keeps. Paths are as the installed system sees them.</summary>
/// <param name="Buys">the daemon buys or refreshes tunnels (the scheduled refresh, or the API): before it claims, a
/// buyer proves a live tunnel with an echo, which needs CAP_NET_RAW.</param>
public sealed record DaemonServiceDefinition(string HostPath, string DaemonPath, string ConfigPath, string StorePath, string Version, bool Buys)
{
    public const string ServiceName = "impvpnd";
}

/// <summary>The daemon's service as the service manager reports it.</summary>
/// <param name="Installed">Whether the service definition exists.</param>
/// <param name="State">The manager's word for it (active, inactive, failed, Running, Stopped), or
/// <see cref="UnknownState"/> where the manager could not be asked (<paramref name="StateUnknownReason"/> says why).</param>
public sealed record DaemonServiceStatus(
    bool Installed, string State, int? ProcessId, string? ConfigPath, string? Version, string DefinitionPath, string? StateUnknownReason = null)
{
    public const string UnknownState = "unknown";
}

/// <summary>Installs, starts, stops, asks about and removes the daemon's service: systemd on Linux, the service
/// control manager on Windows (<see cref="DaemonServiceManagers"/> chooses).</summary>
public interface IDaemonServiceManager
{
    /// <summary>Where the service definition is (a unit file, or the service's name).</summary>
    string DefinitionPath { get; }

    /// <summary>Writes the service definition and enables it to start at boot (does not start it).</summary>
    Task InstallAsync(DaemonServiceDefinition definition, CancellationToken cancellationToken);

    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);

    Task<DaemonServiceStatus> QueryAsync(CancellationToken cancellationToken);

    /// <summary>Stops (where the manager runs), disables and removes the service definition.</summary>
    Task UninstallAsync(CancellationToken cancellationToken);
}
