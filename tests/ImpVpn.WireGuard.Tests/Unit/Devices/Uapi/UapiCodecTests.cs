using System.Net;
using ImpVpn.Core.WireGuard.Devices.Uapi;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class UapiCodecTests
{
    private static readonly WireGuardPublicKey PeerKey = WireGuardPrivateKey.Generate().PublicKey;

    [Fact]
    public void Adding_one_peer_sends_only_that_peer()
    {
        var request = UapiCodec.EncodeSet(new DeviceConfig
        {
            Peers =
            [
                new PeerConfig(PeerKey)
                {
                    Endpoint = IPEndPoint.Parse("10.0.0.2:51820"),
                    PersistentKeepalive = TimeSpan.FromSeconds(25),
                    ReplaceAllowedIps = true,
                    AllowedIps = [IpPrefix.Parse("10.77.0.2/32")],
                },
            ],
        });

        Assert.Equal(
            "set=1\n" +
            $"public_key={PeerKey.ToHex()}\n" +
            "endpoint=10.0.0.2:51820\n" +
            "persistent_keepalive_interval=25\n" +
            "replace_allowed_ips=true\n" +
            "allowed_ip=10.77.0.2/32\n\n",
            request);
    }

    [Fact]
    public void Device_keys_come_before_the_first_peer_and_removal_is_one_line()
    {
        using var device = WireGuardPrivateKey.Generate();
        var request = UapiCodec.EncodeSet(new DeviceConfig
        {
            PrivateKey = device,
            ListenPort = 51820,
            Peers = [PeerConfig.Removal(PeerKey)],
        });

        var lines = request.Split('\n');
        Assert.Equal("set=1", lines[0]);
        Assert.Equal($"private_key={device.RevealHex()}", lines[1]);
        Assert.Equal("listen_port=51820", lines[2]);
        Assert.Equal($"public_key={PeerKey.ToHex()}", lines[3]);
        Assert.Equal("remove=true", lines[4]);
        Assert.EndsWith("\n\n", request);
    }

    [Fact]
    public void IPv6_endpoints_are_bracketed()
    {
        var request = UapiCodec.EncodeSet(new DeviceConfig
        {
            Peers = [new PeerConfig(PeerKey) { Endpoint = IPEndPoint.Parse("[fd00::1]:51820") }],
        });
        Assert.Contains("endpoint=[fd00::1]:51820\n", request);
    }

    [Fact]
    public void A_get_reply_decodes_into_device_and_peers_with_counters()
    {
        using var device = WireGuardPrivateKey.Generate();
        var second = WireGuardPrivateKey.Generate().PublicKey;
        var reply =
            $"private_key={device.RevealHex()}\n" +
            "listen_port=51820\n" +
            $"public_key={PeerKey.ToHex()}\n" +
            "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n" +
            "protocol_version=1\n" +
            "endpoint=192.168.1.2:41000\n" +
            "last_handshake_time_sec=1700000000\n" +
            "last_handshake_time_nsec=500000000\n" +
            "tx_bytes=1234\n" +
            "rx_bytes=5678\n" +
            "persistent_keepalive_interval=25\n" +
            "allowed_ip=10.77.0.2/32\n" +
            "allowed_ip=fd77::2/128\n" +
            $"public_key={second.ToHex()}\n" +
            "last_handshake_time_sec=0\n" +
            "last_handshake_time_nsec=0\n" +
            "errno=0\n\n";

        var decoded = UapiCodec.DecodeGet("wg0", reply);

        Assert.Equal(device.PublicKey, decoded.PublicKey);
        Assert.Equal(51820, decoded.ListenPort);
        Assert.Equal(2, decoded.Peers.Count);
        var peer = decoded.Peers[0];
        Assert.Equal(PeerKey, peer.PublicKey);
        Assert.Equal(IPEndPoint.Parse("192.168.1.2:41000"), peer.Endpoint);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddMilliseconds(500), peer.LastHandshake);
        Assert.Equal(5678, peer.ReceiveBytes);
        Assert.Equal(1234, peer.TransmitBytes);
        Assert.Equal(TimeSpan.FromSeconds(25), peer.PersistentKeepalive);
        Assert.False(peer.HasPresharedKey);
        Assert.Equal(["10.77.0.2/32", "fd77::2/128"], peer.AllowedIps.Select(a => a.ToString()));
        Assert.Null(decoded.Peers[1].LastHandshake);
        Assert.Null(decoded.Peers[1].Endpoint);
    }

    [Fact]
    public void A_negative_errno_in_a_get_reply_is_a_typed_error()
    {
        var error = Assert.Throws<UapiErrorException>(() => UapiCodec.DecodeGet("wg0", "errno=-22\n\n"));
        Assert.Equal(-22, error.Errno);
        Assert.Contains("invalid argument", error.Message);
    }

    [Theory]
    [InlineData("errno=0\n\n", 0)]
    [InlineData("errno=-22\n\n", -22)]
    [InlineData("errno=1\n\n", 1)]
    public void Set_replies_give_their_errno(string reply, int errno) => Assert.Equal(errno, UapiCodec.DecodeErrno("wg0", reply));

    [Theory]
    [InlineData("garbage\n\n")]
    [InlineData("errno=abc\n\n")]
    public void Malformed_replies_are_format_errors(string reply) =>
        Assert.Throws<FormatException>(() => UapiCodec.DecodeErrno("wg0", reply));

    [Theory]
    [InlineData("\n\n")]
    [InlineData("")]
    [InlineData("errno=0\nlisten_port=1\n\n")]
    public void A_set_reply_that_does_not_end_with_errno_is_a_protocol_error(string reply)
    {
        var error = Assert.Throws<UapiProtocolException>(() => UapiCodec.DecodeErrno("wg0", reply));
        Assert.Contains("errno", error.Message);
        Assert.Equal("wg0", error.Device);
    }

    [Fact]
    public void A_get_reply_cut_short_before_errno_is_a_protocol_error_not_a_smaller_device()
    {
        using var device = WireGuardPrivateKey.Generate();
        var truncated =
            $"private_key={device.RevealHex()}\n" +
            "listen_port=51820\n" +
            $"public_key={PeerKey.ToHex()}\n" +
            "allowed_ip=10.77.0.2/32\n";

        var error = Assert.Throws<UapiProtocolException>(() => UapiCodec.DecodeGet("wg0", truncated));

        Assert.Contains("cut short", error.Message);
        Assert.DoesNotContain(device.RevealHex(), error.Message);
    }

    [Fact]
    public void A_secret_never_appears_in_the_device_it_decodes()
    {
        using var device = WireGuardPrivateKey.Generate();
        var decoded = UapiCodec.DecodeGet("wg0", $"private_key={device.RevealHex()}\nlisten_port=1\nerrno=0\n\n");
        Assert.DoesNotContain(device.RevealBase64(), decoded.ToString());
        Assert.DoesNotContain(device.RevealHex(), decoded.ToString());
    }

    [Fact]
    public void A_firewall_mark_is_an_unsigned_32_bit_number_both_ways()
    {
        var request = UapiCodec.EncodeSet(new DeviceConfig { FirewallMark = uint.MaxValue });
        var decoded = UapiCodec.DecodeGet("wg0", "listen_port=51820\nfwmark=4294967295\nerrno=0\n\n");

        Assert.Contains("fwmark=4294967295\n", request);
        Assert.Equal(uint.MaxValue, decoded.FirewallMark);
    }
}
