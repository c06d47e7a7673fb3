using System.Globalization;
using System.Net;
using System.Text;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices.Uapi;

/// <summary>
/// Encodes and decodes WireGuard's cross-platform userspace API (key=value lines, a blank line ends a message,
/// keys in lowercase hex, the reply ends with errno=N). Pure text in and out, so it is tested without a socket.
/// </summary>
internal static class UapiCodec
{
    public const string GetRequest = "get=1\n\n";

    /// <summary>A set=1 request carrying only what <paramref name="config"/> changes. Device keys come before the
    /// first public_key, as the protocol requires.</summary>
    public static string EncodeSet(DeviceConfig config)
    {
        var text = new StringBuilder("set=1\n");
        if (config.PrivateKey is not null)
        {
            text.Append("private_key=").Append(config.PrivateKey.RevealHex()).Append('\n');
        }

        if (config.ListenPort is { } port)
        {
            text.Append("listen_port=").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (config.FirewallMark is { } mark)
        {
            text.Append("fwmark=").Append(mark.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (config.ReplacePeers)
        {
            text.Append("replace_peers=true\n");
        }

        foreach (var peer in config.Peers)
        {
            AppendPeer(text, peer);
        }

        return text.Append('\n').ToString();
    }

    private static void AppendPeer(StringBuilder text, PeerConfig peer)
    {
        text.Append("public_key=").Append(peer.PublicKey.ToHex()).Append('\n');
        if (peer.Remove)
        {
            text.Append("remove=true\n");
            return;
        }

        if (peer.UpdateOnly)
        {
            text.Append("update_only=true\n");
        }

        if (peer.PresharedKey is { } psk)
        {
            if (psk.Length != KeyEncoding.KeyLength)
            {
                throw new WireGuardKeyFormatException("A pre-shared key is 32 bytes.");
            }

            text.Append("preshared_key=").Append(Convert.ToHexString(psk).ToLowerInvariant()).Append('\n');
        }

        if (peer.Endpoint is { } endpoint)
        {
            text.Append("endpoint=").Append(EndpointText.Format(endpoint)).Append('\n');
        }

        if (peer.PersistentKeepalive is { } keepalive)
        {
            text.Append("persistent_keepalive_interval=")
                .Append(((int)keepalive.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (peer.ReplaceAllowedIps)
        {
            text.Append("replace_allowed_ips=true\n");
        }

        foreach (var allowed in peer.AllowedIps)
        {
            text.Append("allowed_ip=").Append(allowed.ToString()).Append('\n');
        }
    }

    /// <summary>The errno of a reply to set=1 (0 on success).</summary>
    public static int DecodeErrno(string device, string reply) => FinalErrno(device, Lines(reply).ToList());

    /// <summary>The errno that must end every reply. Like wg's userspace_get_device, a reply without it is a
    /// protocol error: the connection was cut, and what arrived is only part of the device.</summary>
    private static int FinalErrno(string device, List<(string Key, string Value)> lines)
    {
        if (lines.Count == 0 || lines[^1].Key != "errno")
        {
            throw new UapiProtocolException(device, "it does not end with an errno line, so it was cut short.");
        }

        return ParseInt(lines[^1].Value, "errno");
    }

    /// <summary>Decodes a reply to get=1 into the device's state. The private key is read only to derive the
    /// device's public key and is not kept.</summary>
    public static WireGuardDevice DecodeGet(string device, string reply)
    {
        WireGuardPublicKey? devicePublicKey = null;
        int listenPort = 0;
        uint fwmark = 0;
        var peers = new List<WireGuardPeer>();
        PeerBuilder? current = null;
        var lines = Lines(reply).ToList();
        var errno = FinalErrno(device, lines);
        if (errno != 0)
        {
            throw new UapiErrorException(device, errno);
        }

        foreach (var (key, value) in lines.SkipLast(1))
        {
            switch (key)
            {
                case "private_key":
                    using (var privateKey = WireGuardPrivateKey.Parse(value))
                    {
                        devicePublicKey = privateKey.PublicKey;
                    }

                    break;
                case "listen_port":
                    listenPort = ParseInt(value, key);
                    break;
                case "fwmark":
                    fwmark = ParseUInt(value, key);
                    break;
                case "public_key":
                    if (current is not null)
                    {
                        peers.Add(current.Build());
                    }

                    current = new PeerBuilder(WireGuardPublicKey.Parse(value));
                    break;
                default:
                    current?.Apply(key, value);
                    break;
            }
        }

        if (current is not null)
        {
            peers.Add(current.Build());
        }

        return new WireGuardDevice(device, WireGuardBackendKind.Userspace, devicePublicKey, listenPort, fwmark, peers);
    }

    private static IEnumerable<(string Key, string Value)> Lines(string reply)
    {
        foreach (var line in reply.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException("A UAPI line is not key=value.");
            }

            yield return (line[..equals], line[(equals + 1)..]);
        }
    }

    internal static int ParseInt(string value, string key) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"UAPI value of '{key}' is not a number.");

    // fwmark is a u32: values above int.MaxValue (e.g. 0xffffffff) are valid marks.
    internal static uint ParseUInt(string value, string key) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"UAPI value of '{key}' is not an unsigned 32-bit number.");

    private sealed class PeerBuilder(WireGuardPublicKey publicKey)
    {
        private readonly List<IpPrefix> _allowedIps = [];
        private IPEndPoint? _endpoint;
        private long _handshakeSeconds, _handshakeNanoseconds, _rx, _tx;
        private int _keepalive;
        private bool _hasPresharedKey;

        public void Apply(string key, string value)
        {
            switch (key)
            {
                case "endpoint":
                    _endpoint = IPEndPoint.Parse(value);
                    break;
                case "allowed_ip":
                    _allowedIps.Add(IpPrefix.Parse(value));
                    break;
                case "last_handshake_time_sec":
                    _handshakeSeconds = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "last_handshake_time_nsec":
                    _handshakeNanoseconds = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "rx_bytes":
                    _rx = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "tx_bytes":
                    _tx = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "persistent_keepalive_interval":
                    _keepalive = ParseInt(value, key);
                    break;
                case "preshared_key":
                    // An all-zero key means "none".
                    _hasPresharedKey = value.Any(c => c != '0');
                    break;
                default:
                    // protocol_version and keys newer than this code: ignored, as the protocol asks.
                    break;
            }
        }

        public WireGuardPeer Build()
        {
            DateTimeOffset? handshake = _handshakeSeconds == 0 && _handshakeNanoseconds == 0
                ? null
                : DateTimeOffset.FromUnixTimeSeconds(_handshakeSeconds).AddTicks(_handshakeNanoseconds / 100);
            return new WireGuardPeer(publicKey, _endpoint, _allowedIps, handshake, _rx, _tx,
                TimeSpan.FromSeconds(_keepalive), _hasPresharedKey);
        }
    }
}
