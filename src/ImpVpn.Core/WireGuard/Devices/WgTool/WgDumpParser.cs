using System.Globalization;
using System.Net;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices.WgTool;

/// <summary>Reads `wg show NAME dump`: one tab-separated line for the device (private key, public key, port, fwmark),
/// then one per peer (public key, preshared key, endpoint, allowed ips, latest handshake, rx, tx, keepalive).
/// wg.exe on Windows prints the same format.</summary>
internal static class WgDumpParser
{
    public static WireGuardDevice Parse(string name, string dump, WireGuardBackendKind backend)
    {
        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            throw new FormatException($"wg show {name} dump printed nothing.");
        }

        var device = lines[0].Split('\t');
        if (device.Length < 4)
        {
            throw new FormatException("The device line of wg's dump has fewer than 4 fields.");
        }

        var peers = lines.Skip(1).Select(ParsePeer).ToList();
        return new WireGuardDevice(
            name,
            backend,
            device[1] == "(none)" ? null : WireGuardPublicKey.Parse(device[1]),
            int.Parse(device[2], CultureInfo.InvariantCulture),
            ParseFirewallMark(device[3]),
            peers);
    }

    // wg prints fwmark as "off" when it is 0 and as "0x%x" otherwise (wg's dump.c); older builds printed decimal.
    internal static uint ParseFirewallMark(string text)
    {
        if (text == "off")
        {
            return 0;
        }

        var parsed = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mark)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mark);
        return parsed ? mark : throw new FormatException($"wg's dump shows fwmark '{text}', which is not off, 0x-hex or a number.");
    }

    private static WireGuardPeer ParsePeer(string line)
    {
        var f = line.Split('\t');
        if (f.Length < 8)
        {
            throw new FormatException("A peer line of wg's dump has fewer than 8 fields.");
        }

        var allowed = f[3] == "(none)"
            ? []
            : f[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IpPrefix.Parse).ToList();
        var handshake = long.Parse(f[4], CultureInfo.InvariantCulture);
        return new WireGuardPeer(
            WireGuardPublicKey.Parse(f[0]),
            f[2] == "(none)" ? null : IPEndPoint.Parse(f[2]),
            allowed,
            handshake == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(handshake),
            long.Parse(f[5], CultureInfo.InvariantCulture),
            long.Parse(f[6], CultureInfo.InvariantCulture),
            f[7] == "off" ? TimeSpan.Zero : TimeSpan.FromSeconds(int.Parse(f[7], CultureInfo.InvariantCulture)),
            f[1] != "(none)");
    }
}
