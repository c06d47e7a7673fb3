using System.Net;
using System.Net.Sockets;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>An address with a prefix length, as written in AllowedIPs and interface addresses ("10.77.0.2/32").
/// Unlike System.Net.IPNetwork it keeps host bits, because an interface address is a host in a network.</summary>
public readonly record struct IpPrefix(IPAddress Address, int PrefixLength)
{
    public static IpPrefix Parse(string text)
    {
        if (!TryParse(text, out var prefix))
        {
            throw new FormatException($"'{text}' is not an IP prefix such as 10.77.0.2/32 or fd00::2/128.");
        }

        return prefix;
    }

    public static bool TryParse(string? text, out IpPrefix prefix)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var address))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var length = max;
        if (parts.Length == 2 && (!int.TryParse(parts[1], out length) || length < 0 || length > max))
        {
            return false;
        }

        prefix = new IpPrefix(address, length);
        return true;
    }

    /// <summary>The same prefix with host bits cleared: the network a route points at.</summary>
    public IpPrefix Network()
    {
        var bytes = Address.GetAddressBytes();
        for (var bit = PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IpPrefix(new IPAddress(bytes), PrefixLength);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
