namespace ImpVpn.Core.Daemon;

/// <summary>The one place that decides which service manager installs the daemon on this machine.</summary>
public static class DaemonServiceManagers
{
    /// <param name="root">Linux: the root the unit is written under ("/" for this system; another folder for an
    /// image, or a test).</param>
    public static IDaemonServiceManager ForThisMachine(string root = "/") =>
        OperatingSystem.IsWindows() ? new WindowsServiceManager()
        : OperatingSystem.IsLinux() ? new SystemdServiceManager(root)
        : throw new ServiceManagerUnavailableException("A service manager ImpVpn knows", "impvpnd installs as a systemd unit (Linux) or a Windows service only.");
}
