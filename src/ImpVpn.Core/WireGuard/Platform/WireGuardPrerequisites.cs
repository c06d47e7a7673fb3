using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Links.Windows;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Platform;

/// <summary>
/// Checks, before anything is touched, that this process can set up WireGuard here: privileges
/// (root or CAP_NET_ADMIN on Linux, Administrator on Windows) and tooling (kernel module or wireguard-go,
/// plus ip/wg). Config-only mode needs none of it.
/// </summary>
public static class WireGuardPrerequisites
{
    // CAP_NET_ADMIN is capability bit 12 (linux/capability.h).
    private const int CapNetAdminBit = 12;

    public static IReadOnlyList<MissingPrerequisite> Check(Func<string, bool>? commandExists = null)
    {
        commandExists ??= CommandExists;
        var missing = new List<MissingPrerequisite>();
        if (OperatingSystem.IsWindows())
        {
            if (!Environment.IsPrivilegedProcess)
            {
                missing.Add(new("Administrator rights", "run PowerShell as Administrator"));
            }

            if (!File.Exists(WireGuardForWindows.DefaultWireGuardExe))
            {
                missing.Add(new("WireGuard for Windows", "install it: winget install WireGuard.WireGuard"));
            }

            return missing;
        }

        if (!OperatingSystem.IsLinux())
        {
            // Said here too, so that a cmdlet checking before it buys stops before any payment (WireGuardHosts throws).
            missing.Add(new($"WireGuard interfaces on {WireGuardHosts.OperatingSystemName()}: ImpVpn sets them up only on Linux and Windows",
                "buy the configuration only and import it into the platform's WireGuard app"));
            return missing;
        }

        if (!HasNetAdmin())
        {
            missing.Add(new("root, or CAP_NET_ADMIN that the ip, wg and wireguard-go it starts inherit",
                "run as root (sudo), or grant CAP_NET_ADMIN as an ambient capability (systemd: AmbientCapabilities=CAP_NET_ADMIN; "
                + "or setpriv --inh-caps +net_admin --ambient-caps +net_admin)"));
        }

        if (!commandExists("ip"))
        {
            missing.Add(new("ip (iproute2)", "apt-get install iproute2"));
        }

        var kernel = LinuxKernelModule.IsLoaded();
        if (kernel && !commandExists("wg"))
        {
            missing.Add(new("wg (wireguard-tools)", "apt-get install wireguard-tools"));
        }

        if (!kernel && !commandExists("wireguard-go"))
        {
            missing.Add(new("WireGuard: this kernel has no wireguard module and wireguard-go is not installed",
                "apt-get install wireguard-go (or load the kernel module: modprobe wireguard)"));
        }

        if (!kernel && !File.Exists("/dev/net/tun"))
        {
            missing.Add(new("/dev/net/tun (needed by wireguard-go)", "modprobe tun, or give the container the tun device"));
        }

        if (!kernel && !Environment.IsPrivilegedProcess && !CanWriteUapiFolder())
        {
            missing.Add(new("write access to /var/run/wireguard, where wireguard-go puts its control sockets",
                "run as root, or create the folder for this user: install -d -o $USER -m 0700 /var/run/wireguard"));
        }

        return missing;
    }

    /// <summary>Throws <see cref="WireGuardPrerequisiteException"/> listing everything missing.</summary>
    public static void EnsureReady()
    {
        var missing = Check();
        if (missing.Count > 0)
        {
            throw new WireGuardPrerequisiteException(missing);
        }
    }

    /// <summary>Root, or CAP_NET_ADMIN both effective here and ambient, so that the ip, wg and wireguard-go this
    /// process starts keep it (a capability that is only effective is dropped when they are exec'd).</summary>
    public static bool HasNetAdmin() => Environment.IsPrivilegedProcess || HasNetAdmin(File.ReadLines("/proc/self/status"));

    internal static bool HasNetAdmin(IEnumerable<string> procStatus)
    {
        try
        {
            var lines = procStatus.ToList();
            return HasBit(lines, "CapEff:") && HasBit(lines, "CapAmb:");
        }
        catch (IOException)
        {
            return false;
        }

        static bool HasBit(List<string> lines, string field) =>
            lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) is { } line
            && (Convert.ToUInt64(line[field.Length..].Trim(), 16) & (1UL << CapNetAdminBit)) != 0;
    }

    public static bool CommandExists(string command) => SystemCommandLocator.Find(command) is not null;

    private static bool CanWriteUapiFolder()
    {
        const string folder = "/var/run/wireguard";
        var probe = Directory.Exists(folder) ? folder : "/var/run";
        try
        {
            var test = Path.Combine(probe, $".impvpn-probe-{Environment.ProcessId}");
            using (File.Create(test, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
