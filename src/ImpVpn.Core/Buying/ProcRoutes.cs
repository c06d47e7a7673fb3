using System.Globalization;
using System.Net;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Buying;

/// <summary>The Linux kernel's routing tables as /proc shows them.</summary>
public static class ProcRoutes
{
    /// <summary>/proc/net/route: a header, then "Iface Destination Gateway Flags RefCnt Use Metric Mask ...", the
    /// destination and mask as little-endian hex.</summary>
    public static IEnumerable<LocalRoute> IPv4(IEnumerable<string> lines)
    {
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8 || !uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var destination)
                || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                continue;
            }

            yield return new LocalRoute(new IpPrefix(new IPAddress(destination), (int)uint.PopCount(mask)), f[0]);
        }
    }

    /// <summary>/proc/net/ipv6_route: "dest destlen src srclen nexthop metric refcnt use flags device", in hex.</summary>
    public static IEnumerable<LocalRoute> IPv6(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10 || f[0].Length != 32 || !int.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var length)
                || length is < 0 or > 128)
            {
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromHexString(f[0]);
            }
            catch (FormatException)
            {
                continue;
            }

            yield return new LocalRoute(new IpPrefix(new IPAddress(bytes), length), f[9]);
        }
    }
}
