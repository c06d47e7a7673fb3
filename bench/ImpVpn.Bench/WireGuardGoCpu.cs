using System.Globalization;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>The CPU time (user + system) the wireguard-go processes in some namespaces have used so far, from
/// /proc/PID/stat: read before and after a transfer, it gives the tunnel's work per byte, which depends far less on
/// what else the machine runs than the transfer's rate does.</summary>
internal static class WireGuardGoCpu
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat, 100 on Linux for every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan Read(params string[] namespaces)
    {
        var ticks = 0L;
        foreach (var ns in namespaces)
        {
            foreach (var pid in NetworkNamespacePair.Capture("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    if (File.ReadAllText($"/proc/{pid}/comm").Trim() != "wireguard-go")
                    {
                        continue;
                    }

                    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // Exited meanwhile.
                }
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
