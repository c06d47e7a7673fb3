namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>LND's default file layout: where a node keeps tls.cert and admin.macaroon when nothing else is said.</summary>
public static class LndDirectory
{
    public const string DefaultRpcAddress = "localhost:10009";

    /// <summary>~/.lnd on Linux, %LOCALAPPDATA%\Lnd on Windows, ~/Library/Application Support/Lnd on macOS.</summary>
    public static string DefaultPath()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Lnd");
        }

        return OperatingSystem.IsMacOS()
            ? Path.Combine(home, "Library", "Application Support", "Lnd")
            : Path.Combine(home, ".lnd");
    }

    public static string MacaroonPath(string lndDirectory, string network) =>
        Path.Combine(lndDirectory, "data", "chain", "bitcoin", network, "admin.macaroon");

    public static string TlsCertPath(string lndDirectory) => Path.Combine(lndDirectory, "tls.cert");

    /// <summary>Connection options from an LND directory with LND's defaults for whatever is not given.</summary>
    public static LndConnectionOptions Resolve(string? lndDirectory = null, string network = "mainnet", string? rpcAddress = null)
    {
        var directory = lndDirectory ?? DefaultPath();
        return LndConnectionOptions.FromFiles(rpcAddress ?? DefaultRpcAddress, TlsCertPath(directory), MacaroonPath(directory, network), network);
    }
}
