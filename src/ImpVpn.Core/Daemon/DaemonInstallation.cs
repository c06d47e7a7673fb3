using ImpVpn.Core.Files;
using ImpVpn.Core.WireGuard.Commands;

namespace ImpVpn.Core.Daemon;

/// <summary>
/// Where an installed daemon's files go, and putting them there: impvpnd copied into a folder named after its
/// version (so an upgrade installs beside the running one and the service is pointed at it), the configuration
/// written owner-only. Linux: /opt/impvpn/&lt;version&gt;, /etc/impvpn/impvpnd.json, store /var/lib/impvpn, all under
/// <see cref="Root"/> ("/" but for images and tests). Windows: %ProgramFiles%\ImpVpn\&lt;version&gt; and
/// %ProgramData%\ImpVpn.
/// </summary>
public sealed class DaemonInstallation(string root = "/")
{
    public const string DaemonFileName = "impvpnd.dll";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder holding every version (removed whole on uninstall), as the installed system sees it.</summary>
    public static string ProgramsFolder => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "ImpVpn")
        : "/opt/impvpn";

    public static string DefaultConfigPath => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ImpVpn", "impvpnd.json")
        : "/etc/impvpn/impvpnd.json";

    public static string DefaultStorePath => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ImpVpn", "store")
        : "/var/lib/impvpn";

    /// <summary>Where a system path lies on disk now (under <see cref="Root"/>).</summary>
    public string OnDisk(string systemPath) =>
        Root == "/" || OperatingSystem.IsWindows() ? systemPath : Path.Join(Root, systemPath);

    /// <summary>Copies the daemon's folder (impvpnd.dll and what it needs) to its version's folder; returns the
    /// installed impvpnd.dll as the system sees it.</summary>
    public string CopyDaemon(string sourceFolder, string version)
    {
        if (!File.Exists(Path.Combine(sourceFolder, DaemonFileName)))
        {
            throw new FileNotFoundException($"The daemon is missing from {sourceFolder} (no {DaemonFileName}).", Path.Combine(sourceFolder, DaemonFileName));
        }

        var target = Path.Combine(ProgramsFolder, version);
        var onDisk = OnDisk(target);
        foreach (var file in Directory.EnumerateFiles(sourceFolder, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(onDisk, Path.GetRelativePath(sourceFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }

        return Path.Combine(target, DaemonFileName);
    }

    /// <summary>Writes the configuration owner-only (it names the macaroon that spends the node's money).</summary>
    public void WriteConfiguration(DaemonConfigurationFile configuration, string systemPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var onDisk = OnDisk(systemPath);
        Directory.CreateDirectory(Path.GetDirectoryName(onDisk)!);
        OwnerOnlyFile.WriteAllText(onDisk, configuration.ToJson());
    }

    /// <summary>Creates the store's folder (0700): the unit lets the daemon write there only, so it must exist.</summary>
    public void CreateStore(string systemPath) => OwnerOnlyFile.CreatePrivateFolder(OnDisk(systemPath));

    /// <summary>Removes every installed version of the daemon; the configuration and the store (the contracts) stay.</summary>
    public void RemoveDaemon()
    {
        var onDisk = OnDisk(ProgramsFolder);
        if (Directory.Exists(onDisk))
        {
            Directory.Delete(onDisk, recursive: true);
        }
    }

    /// <summary>Runs the installed daemon's <c>withdraw</c> (the configured seller's interface, its buyers' peers and its
    /// firewall table taken off the host), before the daemon's files are removed.</summary>
    public async Task WithdrawSellerAsync(string version, string configPath, CancellationToken cancellationToken)
    {
        var daemon = OnDisk(Path.Combine(ProgramsFolder, version, DaemonFileName));
        var host = DotnetHost() ?? throw new FileNotFoundException("The .NET host (dotnet) that runs impvpnd is not on the PATH.");
        var result = await ProcessCommandRunner.Instance.RunAsync(host, [daemon, "withdraw", "--config", OnDisk(configPath)], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ServiceManagerException("impvpnd withdraw", result.ExitCode, result.Error + result.Output);
        }
    }

    /// <summary>The .NET host that runs impvpnd.dll: the one running this process when it is dotnet, else the one
    /// on the PATH; null where there is none.</summary>
    public static string? DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : SystemCommandLocator.Find(OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }
}
