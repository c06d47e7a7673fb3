namespace ImpVpn.Core.WireGuard;

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

            if (!File.Exists(Windows.WindowsTunnelServiceBackend.DefaultWireGuardExe))
            {
                missing.Add(new("WireGuard for Windows", "install it: winget install WireGuard.WireGuard"));
            }

            return missing;
        }

        if (!HasNetAdmin())
        {
            missing.Add(new("root or CAP_NET_ADMIN", "run as root (sudo) or grant CAP_NET_ADMIN"));
        }

        if (!commandExists("ip"))
        {
            missing.Add(new("ip (iproute2)", "apt-get install iproute2"));
        }

        var kernel = Linux.KernelBackend.KernelHasWireGuard();
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

    public static bool HasNetAdmin()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return true;
        }

        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            return line is not null
                && (Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16) & (1UL << CapNetAdminBit)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static bool CommandExists(string command)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        IEnumerable<string> folders = path.Split(Path.PathSeparator).Concat(["/usr/sbin", "/sbin", "/usr/bin"]);
        return folders.Any(folder => folder.Length > 0 && File.Exists(Path.Combine(folder, command)));
    }
}
