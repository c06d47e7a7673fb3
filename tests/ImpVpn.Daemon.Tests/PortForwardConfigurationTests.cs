using ImpVpn.Core.Daemon;

namespace ImpVpn.Daemon.Tests;

/// <summary>The configuration file's Seller.PortForward: read into the seller's options (the public address
/// defaulting to the endpoint's host), and every refusal naming its key.</summary>
public sealed class PortForwardConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dmn-pf-").FullName;

    [Fact]
    public void A_port_forward_section_read_back_gives_the_range_and_the_endpoints_host()
    {
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, Usable(new PortForwardSection { Ports = "40000-40999" }).ToJson());

        var forward = DaemonConfigurationCheck.Read(path).Seller!.Options.PortForward;

        Assert.NotNull(forward);
        Assert.Equal(("203.0.113.5", 40000, 40999), (forward.PublicAddress, forward.FirstPort, forward.LastPort));
    }

    [Fact]
    public void Without_the_section_nothing_is_forwarded()
    {
        Assert.Null(DaemonConfigurationCheck.Check(Usable(null)).Seller!.Options.PortForward);
    }

    [Theory]
    [InlineData("Seller.PortForward.Ports", null, null, true)]
    [InlineData("Seller.PortForward.Ports", "40999-40000", null, true)]
    [InlineData("Seller.PortForward.PublicAddress", "40000-40999", "127.0.0.1", true)]
    [InlineData("Seller.PortForward", "40000-40999", null, false)]
    public void A_bad_value_is_refused_naming_its_key(string key, string? ports, string? address, bool manageFirewall)
    {
        var file = Usable(new PortForwardSection { Ports = ports, PublicAddress = address });
        file.Seller.ManageFirewall = manageFirewall;

        var refused = Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Check(file));

        Assert.Equal(key, refused.Key);
        Assert.StartsWith(key + ": ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_in_the_section_is_refused()
    {
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, Usable(new PortForwardSection { Ports = "40000" }).ToJson().Replace("\"Ports\"", "\"Portz\"", StringComparison.Ordinal));

        Assert.StartsWith("Seller.PortForward", Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Read(path)).Key, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private DaemonConfigurationFile Usable(PortForwardSection? forward)
    {
        var file = UsableConfiguration.In(_folder);
        file.Seller!.PortForward = forward;
        file.Refresh = new DaemonConfigurationFile.RefreshSection { Enabled = false };
        return file;
    }
}
