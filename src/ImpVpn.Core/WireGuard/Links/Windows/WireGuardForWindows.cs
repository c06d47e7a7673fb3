namespace ImpVpn.Core.WireGuard.Links.Windows;

/// <summary>Where WireGuard for Windows keeps its tools, and where ImpVpn keeps the .conf files its tunnel services
/// are installed from (kept, owner-only, until the tunnel is removed).</summary>
internal static class WireGuardForWindows
{
    public static string DefaultConfigFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ImpVpn", "tunnels");

    public static string DefaultWireGuardExe => Path.Combine(InstallFolder, "wireguard.exe");

    public static string DefaultWgExe => Path.Combine(InstallFolder, "wg.exe");

    private static string InstallFolder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "WireGuard");
}
