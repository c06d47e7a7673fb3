using ImpVpn.Core.WireGuard.Export;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class ExportTests
{
    private static WgQuickConfig SampleConfig(WireGuardPrivateKey key, WireGuardPublicKey server) =>
        new(key, [IpPrefix.Parse("10.77.0.2/32")])
        {
            Mtu = 1420,
            Dns = ["10.77.0.1"],
            Peers =
            [
                new WgQuickPeer(server, [IpPrefix.Parse("10.77.0.0/24")])
                {
                    Endpoint = "vpn.example.net:51820",
                    PersistentKeepalive = TimeSpan.FromSeconds(25),
                },
            ],
        };

    [Fact]
    public void A_tunnel_renders_as_a_wg_quick_conf()
    {
        using var key = WireGuardPrivateKey.Generate();
        var server = WireGuardPrivateKey.Generate().PublicKey;

        var text = SampleConfig(key, server).Render();

        Assert.Equal(
            "[Interface]\n" +
            $"PrivateKey = {key.RevealBase64()}\n" +
            "Address = 10.77.0.2/32\n" +
            "MTU = 1420\n" +
            "DNS = 10.77.0.1\n" +
            "\n[Peer]\n" +
            $"PublicKey = {server.ToBase64()}\n" +
            "AllowedIPs = 10.77.0.0/24\n" +
            "Endpoint = vpn.example.net:51820\n" +
            "PersistentKeepalive = 25\n",
            text);
    }

    [Theory]
    [InlineData("192.0.2.1:51820\nPostUp = touch /tmp/owned")]
    [InlineData("192.0.2.1:51820 # comment")]
    [InlineData("")]
    public void An_endpoint_that_could_add_a_line_or_a_setting_is_never_written(string endpoint)
    {
        using var key = WireGuardPrivateKey.Generate();
        var config = SampleConfig(key, WireGuardPrivateKey.Generate().PublicKey);
        var tampered = config with { Peers = [config.Peers[0] with { Endpoint = endpoint }] };

        Assert.Throws<ArgumentException>(tampered.Render);
    }

    [SkippableFact]
    public void The_conf_file_and_the_png_are_created_owner_only()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        using var key = WireGuardPrivateKey.Generate();
        var config = SampleConfig(key, WireGuardPrivateKey.Generate().PublicKey);
        var folder = Directory.CreateTempSubdirectory("ivt-export-").FullName;
        try
        {
            var conf = Path.Combine(folder, "tunnel.conf");
            var png = Path.Combine(folder, "tunnel.png");
            config.WriteFile(conf);
            TunnelQrCode.SavePng(config, png);

            Assert.Equal(config.Render(), File.ReadAllText(conf));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(conf));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(png));
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void ToString_of_a_config_does_not_reveal_the_key()
    {
        using var key = WireGuardPrivateKey.Generate();
        var config = SampleConfig(key, WireGuardPrivateKey.Generate().PublicKey);
        Assert.DoesNotContain(key.RevealBase64(), config.ToString());
    }

    [Fact]
    public void The_QR_code_comes_as_terminal_text_and_as_a_png()
    {
        using var key = WireGuardPrivateKey.Generate();
        var config = SampleConfig(key, WireGuardPrivateKey.Generate().PublicKey);

        var text = TunnelQrCode.ToTerminalText(config);
        var png = TunnelQrCode.ToPng(config);

        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(rows.Length > 25, "a QR code of a whole tunnel config has more than 25 rows");
        Assert.All(rows, row => Assert.Equal(rows[0].Length, row.Length));
        Assert.Contains('█', text);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
