using ImpVpn.Core.Daemon;

namespace ImpVpn.PowerShell.Output;

/// <summary>The impvpnd service as Install-VpnDaemon and Get-VpnDaemon show it. Holds no secret: the configuration
/// is named, not read.</summary>
public sealed record VpnDaemon
{
    public bool Installed { get; init; }

    /// <summary>The service manager's word (active, inactive, failed; RUNNING, STOPPED), "unknown" where it could not
    /// be asked (see <see cref="StateUnknownReason"/>), or "not installed".</summary>
    public required string State { get; init; }

    public int? ProcessId { get; init; }

    public string? ConfigPath { get; init; }

    /// <summary>The installed daemon's version (the folder it was copied to).</summary>
    public string? Version { get; init; }

    /// <summary>The unit file (Linux) or the service (Windows).</summary>
    public required string DefinitionPath { get; init; }

    public string? StateUnknownReason { get; init; }

    public static VpnDaemon From(DaemonServiceStatus status) => new()
    {
        Installed = status.Installed,
        State = status.State,
        ProcessId = status.ProcessId,
        ConfigPath = status.ConfigPath,
        Version = status.Version,
        DefinitionPath = status.DefinitionPath,
        StateUnknownReason = status.StateUnknownReason,
    };
}
