using ImpVpn.Core.Daemon;

namespace ImpVpn.Daemon.Tests;

/// <summary>The API's files are part of its configuration: a token file cut short makes the daemon exit with 2
/// (no restart) and one line naming Api.TokenPath, not an unhandled exception.</summary>
public sealed class ApiStartErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dmn-api-start-").FullName;

    [Fact]
    public void A_truncated_token_file_exits_with_bad_configuration_naming_the_key()
    {
        var configuration = UsableConfiguration.In(_folder);
        configuration.Seller.Enabled = false;
        configuration.Refresh.Enabled = false;
        configuration.Api = new ApiSection { Enabled = true, MaxPriceSat = 1000, BudgetSat = 10_000, TokenPath = Path.Combine(_folder, "api.token") };
        File.WriteAllText(configuration.Api.TokenPath, "0123abcd\n");
        var path = Path.Combine(_folder, "impvpnd.json");
        File.WriteAllText(path, configuration.ToJson());

        using var daemon = DaemonProcess.Start(path, notifySocketPath: null);

        Assert.Equal(2, daemon.WaitForExit(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(daemon.Output.Split('\n'), line => line.Contains("impvpnd:", StringComparison.Ordinal));
        Assert.StartsWith("impvpnd: configuration error: Api.TokenPath: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("0123abcd", daemon.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
