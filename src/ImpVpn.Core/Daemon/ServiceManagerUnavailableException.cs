namespace ImpVpn.Core.Daemon;

/// <summary>The service manager cannot be asked here: systemd is installed but is not PID 1 (a container, a chroot),
/// or the tool that drives it failed to reach it. The service definition on disk is not affected.</summary>
public sealed class ServiceManagerUnavailableException(string manager, string detail)
    : Exception($"{manager} is not running here, so the daemon's service cannot be started, stopped or asked about: {detail}")
{
    public string Manager { get; } = manager;
}

/// <summary>The service manager refused a request (exit code and what it said).</summary>
public sealed class ServiceManagerException(string command, int exitCode, string output)
    : Exception($"'{command}' failed with exit code {exitCode}: {output.Trim()}")
{
    public string Command { get; } = command;

    public int ExitCode { get; } = exitCode;
}
