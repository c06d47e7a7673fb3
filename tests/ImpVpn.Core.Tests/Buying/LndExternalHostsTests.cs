using ImpVpn.Core.Buying;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>Writing a port forward's externalhosts into lnd.conf: into [Application Options], once, replacing only
/// ImpVpn's own line, with a backup of the same mode, and the file keeping its mode.</summary>
public sealed class LndExternalHostsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("impvpn-lndconf-").FullName;

    [Fact]
    public void The_line_goes_after_the_sections_header_once_and_a_new_port_replaces_only_imp_vpns_line()
    {
        var path = Write("[Application Options]\nalias=mynode\nexternalhosts=mine.example:9735\n\n[Bitcoin]\nbitcoin.mainnet=1\n");

        Assert.True(LndExternalHosts.Apply(path, "198.51.100.1:40000", Now, out var backup));
        var once = File.ReadAllText(path);
        Assert.False(LndExternalHosts.Apply(path, "198.51.100.1:40000", Now, out var none));
        Assert.Null(none);
        Assert.Equal(once, File.ReadAllText(path));
        Assert.True(LndExternalHosts.Apply(path, "198.51.100.1:40007", Now.AddMinutes(1), out _));

        Assert.Equal(
            "[Application Options]\n" + LndExternalHosts.Marker + "\nexternalhosts=198.51.100.1:40007\nalias=mynode\nexternalhosts=mine.example:9735\n\n[Bitcoin]\nbitcoin.mainnet=1\n",
            File.ReadAllText(path));
        Assert.Equal("[Application Options]\nalias=mynode\nexternalhosts=mine.example:9735\n\n[Bitcoin]\nbitcoin.mainnet=1\n", File.ReadAllText(backup!));
    }

    [Fact]
    public void A_file_without_the_section_gets_it_at_the_end()
    {
        var path = Write("[Bitcoin]\nbitcoin.mainnet=1");

        LndExternalHosts.Apply(path, "node.example.net:40000", Now, out _);

        Assert.Equal("[Bitcoin]\nbitcoin.mainnet=1\n\n[Application Options]\n" + LndExternalHosts.Marker + "\nexternalhosts=node.example.net:40000\n", File.ReadAllText(path));
    }

    [SkippableFact]
    public void The_file_and_its_backup_keep_the_files_mode()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes");
        var path = Write("[Application Options]\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        LndExternalHosts.Apply(path, "198.51.100.1:40000", Now, out var backup);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup!));
    }

    [Fact]
    public void No_file_is_created_and_nothing_that_could_end_the_line_is_written()
    {
        Assert.Throws<FileNotFoundException>(() => LndExternalHosts.Apply(Path.Combine(_folder, "absent.conf"), "198.51.100.1:40000", Now, out _));
        Assert.Throws<ArgumentException>(() => LndExternalHosts.Apply(Write(string.Empty), "198.51.100.1:40000\nrpclisten=0.0.0.0", Now, out _));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".conf");
        File.WriteAllText(path, text);
        return path;
    }
}
