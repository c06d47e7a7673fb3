using ImpVpn.Core.Daemon;

namespace ImpVpn.Daemon.Tests;

/// <summary>Every refusal of the daemon's configuration names the key to change; a usable file gives the seller's
/// and the refresh's options as the cmdlets would build them.</summary>
public sealed class DaemonConfigurationCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dmn-config-").FullName;

    [Theory]
    [InlineData("Node.Network")]
    [InlineData("Node.MacaroonPath")]
    [InlineData("Node.RpcAddress")]
    [InlineData("StorePath")]
    [InlineData("Seller.Endpoint")]
    [InlineData("Seller.InterfaceName")]
    [InlineData("Seller.ListenPort")]
    [InlineData("Seller.Subnet")]
    [InlineData("Seller.Subnet/wide")]
    [InlineData("Seller.MaxActiveContracts")]
    [InlineData("Seller.PricePerHourSat")]
    [InlineData("Seller.MinimumDuration")]
    [InlineData("Seller.AllowedPorts")]
    [InlineData("Seller.NetworkNamespace")]
    [InlineData("Seller.Modes")]
    [InlineData("Seller.Region")]
    [InlineData("Seller.PortForward/sold without ports")]
    [InlineData("Seller.Modes/empty")]
    [InlineData("Seller.Exit.EgressInterface")]
    [InlineData("Seller.Exit.EgressInterface/grammar")]
    [InlineData("Seller.Exit.Resolvers")]
    [InlineData("Seller.Exit.Resolvers/family")]
    [InlineData("Seller.Exit.RefusedDestinations")]
    [InlineData("Seller.Exit.IPv6")]
    [InlineData("Seller.ConfigOnly/exit")]
    [InlineData("Seller.ManageFirewall/exit")]
    [InlineData("Refresh.BudgetSat")]
    [InlineData("Refresh.Interval")]
    [InlineData("Refresh.MaxRoutingFeeSat")]
    public void A_bad_value_is_refused_naming_its_key(string key)
    {
        var file = Usable();
        Spoil(file, key);

        var refused = Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Check(file));
        key = key.Split('/')[0];
        Assert.Equal(key, refused.Key);
        Assert.StartsWith(key + ": ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_daemon_with_nothing_to_do_is_refused()
    {
        var file = Usable();
        file.Seller.Enabled = false;
        file.Refresh.Enabled = false;

        Assert.Equal("Seller.Enabled", Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Check(file)).Key);
    }

    [Fact]
    public void A_usable_file_read_back_gives_the_options_it_names()
    {
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, Usable().ToJson());

        var settings = DaemonConfigurationCheck.Read(path);

        Assert.Equal(Path.Combine(_folder, "store"), settings.StorePath);
        Assert.Equal("203.0.113.5:51820", settings.Seller!.Options.Endpoint);
        Assert.Equal(500, settings.Seller.Options.Pricing.PricePerHourSat);
        Assert.Equal([9735], settings.Seller.Options.AllowedPorts);
        Assert.Equal(700, settings.Refresh!.BudgetSat);
        Assert.Equal(TimeSpan.FromDays(30), settings.Refresh.BudgetPeriod);
        Assert.Equal("regtest", settings.Node.Network);
        Assert.Null(settings.Seller.Options.Region);
    }

    [Fact]
    public void A_region_is_given_to_the_seller_s_offer()
    {
        var file = Usable();
        file.Seller.Region = "Frankfurt 2";

        Assert.Equal("Frankfurt 2", DaemonConfigurationCheck.Check(file).Seller!.Options.Region);
    }

    [Fact]
    public void A_value_of_the_wrong_kind_is_refused_by_its_path()
    {
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, Usable().ToJson().Replace("\"ListenPort\": 51820", "\"ListenPort\": \"many\"", StringComparison.Ordinal));

        Assert.Equal("Seller.ListenPort", Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Read(path)).Key);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private DaemonConfigurationFile Usable() => UsableConfiguration.In(_folder);

    private static void Spoil(DaemonConfigurationFile file, string key)
    {
        switch (key)
        {
            case "Node.Network": file.Node.Network = "moonnet"; break;
            case "Node.MacaroonPath": file.Node.MacaroonPath = "/nonexistent/admin.macaroon"; break;
            case "Node.RpcAddress": file.Node.RpcAddress = "host:notaport"; break;
            case "StorePath": file.StorePath = "relative/store"; break;
            case "Seller.Endpoint": file.Seller.Endpoint = "localhost:51820"; break;
            case "Seller.InterfaceName": file.Seller.InterfaceName = "a name too long for linux"; break;
            case "Seller.ListenPort": file.Seller.ListenPort = 70000; break;
            case "Seller.Subnet": file.Seller.Subnet = "10.77.0.0/33"; break;
            case "Seller.Subnet/wide": file.Seller.Subnet = "10.0.0.0/8"; break;
            case "Seller.MaxActiveContracts": file.Seller.MaxActiveContracts = 0; break;
            case "Seller.PricePerHourSat": file.Seller.PricePerHourSat = 0; break;
            case "Seller.MinimumDuration": file.Seller.MinimumDuration = TimeSpan.FromDays(60); break;
            case "Seller.AllowedPorts": file.Seller.AllowedPorts = [0]; break;
            case "Seller.NetworkNamespace": file.Seller.NetworkNamespace = "no/slashes"; break;
            case "Seller.Modes": file.Seller.Modes = ["NodeToNode", "Teleport"]; break;
            case "Seller.Region": file.Seller.Region = "eu-west\u001b[2J"; break;
            case "Seller.PortForward/sold without ports": file.Seller.Modes = ["PortForward"]; break;
            case "Seller.Modes/empty": file.Seller.Modes = []; break;
            case "Seller.Exit.EgressInterface": SellExit(file); file.Seller.Exit.EgressInterface = null; break;
            case "Seller.Exit.EgressInterface/grammar": SellExit(file); file.Seller.Exit.EgressInterface = "eth0;flush"; break;
            case "Seller.Exit.Resolvers": SellExit(file); file.Seller.Exit.Resolvers = []; break;
            case "Seller.Exit.Resolvers/family": SellExit(file); file.Seller.Exit.Resolvers = ["2001:db8::53"]; break;
            case "Seller.Exit.RefusedDestinations": SellExit(file); file.Seller.Exit.RefusedDestinations = ["192.0.2.0/40"]; break;
            case "Seller.Exit.IPv6": SellExit(file); file.Seller.Exit.IPv6 = "Teredo"; break;
            case "Seller.ConfigOnly/exit": SellExit(file); file.Seller.ConfigOnly = true; break;
            case "Seller.ManageFirewall/exit": SellExit(file); file.Seller.ManageFirewall = false; break;
            case "Refresh.BudgetSat": file.Refresh.BudgetSat = null; break;
            case "Refresh.Interval": file.Refresh.Interval = TimeSpan.Zero; break;
            case "Refresh.MaxRoutingFeeSat": file.Refresh.MaxRoutingFeeSat = -1; break;
            default: throw new ArgumentException(key);
        }
    }

    private static void SellExit(DaemonConfigurationFile file)
    {
        file.Seller.Modes = ["NodeToNode", "Exit"];
        file.Seller.Exit = new DaemonConfigurationFile.ExitSection { EgressInterface = "eth0", Resolvers = ["9.9.9.9"] };
    }

    [Fact]
    public void An_exit_seller_read_back_gives_its_modes_and_exit()
    {
        var file = Usable();
        SellExit(file);
        file.Seller.Modes = ["nodetonode", "Exit", "exit"];
        file.Seller.Exit.RefusedDestinations = ["198.51.100.0/24"];
        file.Seller.Exit.IPv6 = "routed";
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, file.ToJson());

        var options = DaemonConfigurationCheck.Read(path).Seller!.Options;

        Assert.Equal([Core.Protocol.TunnelMode.NodeToNode, Core.Protocol.TunnelMode.Exit], options.SoldModes);
        Assert.Equal("eth0", options.EgressInterface);
        Assert.Equal(["9.9.9.9"], options.Resolvers);
        Assert.Equal([Core.WireGuard.Types.IpPrefix.Parse("198.51.100.0/24")], options.RefusedDestinations);
        Assert.Equal(Core.WireGuard.Types.IPv6Exit.Routed, options.IPv6Exit);
        Assert.Equal([Core.Protocol.TunnelMode.NodeToNode], DaemonConfigurationCheck.Check(Usable()).Seller!.Options.SoldModes);
    }

    [Fact]
    public void A_misspelt_exit_key_is_refused_by_its_path()
    {
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, Usable().ToJson().Replace("\"Resolvers\"", "\"Resolver\"", StringComparison.Ordinal));

        Assert.StartsWith("Seller.Exit", Assert.Throws<DaemonConfigurationException>(() => DaemonConfigurationCheck.Read(path)).Key, StringComparison.Ordinal);
    }
}
