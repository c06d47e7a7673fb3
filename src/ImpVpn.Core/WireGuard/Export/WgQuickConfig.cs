using System.Globalization;
using System.Text;
using ImpVpn.Core.Files;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Export;

/// <summary>
/// A tunnel as a wg-quick .conf, for phones and machines ImpVpn does not drive (and for WireGuard for Windows,
/// which installs tunnels from such files). The rendered text contains the private key: write it only with
/// <see cref="WriteFile"/> (mode 0600) or show it to the user who asked for it.
/// </summary>
public sealed record WgQuickConfig(WireGuardPrivateKey PrivateKey, IReadOnlyList<IpPrefix> Addresses)
{
    public int? ListenPort { get; init; }

    public int? Mtu { get; init; }

    public IReadOnlyList<string> Dns { get; init; } = [];

    public IReadOnlyList<WgQuickPeer> Peers { get; init; } = [];

    public string Render()
    {
        var text = new StringBuilder();
        text.Append("[Interface]\n");
        text.Append("PrivateKey = ").Append(PrivateKey.RevealBase64()).Append('\n');
        if (Addresses.Count > 0)
        {
            text.Append("Address = ").Append(string.Join(", ", Addresses)).Append('\n');
        }

        if (ListenPort is { } port)
        {
            text.Append("ListenPort = ").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (Mtu is { } mtu)
        {
            text.Append("MTU = ").Append(mtu.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (Dns.Count > 0)
        {
            text.Append("DNS = ").Append(string.Join(", ", Dns.Select(d => OneToken(d, "DNS server")))).Append('\n');
        }

        foreach (var peer in Peers)
        {
            text.Append("\n[Peer]\n");
            text.Append("PublicKey = ").Append(peer.PublicKey.ToBase64()).Append('\n');
            if (peer.PresharedKey is { } psk)
            {
                text.Append("PresharedKey = ").Append(Convert.ToBase64String(psk)).Append('\n');
            }

            text.Append("AllowedIPs = ").Append(string.Join(", ", peer.AllowedIps)).Append('\n');
            if (peer.Endpoint is { } endpoint)
            {
                text.Append("Endpoint = ").Append(OneToken(endpoint, "endpoint")).Append('\n');
            }

            if (peer.PersistentKeepalive is { } keepalive && keepalive > TimeSpan.Zero)
            {
                text.Append("PersistentKeepalive = ").Append(((int)keepalive.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    // wg-quick runs PostUp/PreDown lines as root: a value carrying a line break (or any space) could add one. Free
    // text that reaches this file is one token, or nothing is written.
    private static string OneToken(string value, string what) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '#' or '=')
            ? value
            : throw new ArgumentException($"A wg-quick {what} must be one token without spaces, line breaks, '#' or '='.", nameof(value));

    /// <summary>Writes the .conf created with mode 0600 (the file holds the private key).</summary>
    public void WriteFile(string path) => OwnerOnlyFile.WriteAllText(path, Render());

    public override string ToString() => $"WgQuickConfig({Addresses.Count} address(es), {Peers.Count} peer(s))";
}

/// <summary>A [Peer] section. Endpoint is kept as text: it may be a host name the other device resolves.</summary>
public sealed record WgQuickPeer(WireGuardPublicKey PublicKey, IReadOnlyList<IpPrefix> AllowedIps)
{
    public string? Endpoint { get; init; }

    public TimeSpan? PersistentKeepalive { get; init; }

    public byte[]? PresharedKey { get; init; }
}
