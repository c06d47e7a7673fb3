namespace ImpVpn.Daemon;

/// <summary>What impvpnd's exit code tells the service manager (the unit prevents a restart on a bad configuration:
/// starting again would fail the same way).</summary>
internal static class DaemonExitCode
{
    public const int Success = 0;

    /// <summary>Started, or tried to, and failed: the node unreachable, the store held by another seller, a firewall
    /// that cannot be set. Worth a restart.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration file is wrong. Not worth a restart.</summary>
    public const int BadConfiguration = 2;
}
