namespace ImpVpn.Core.Daemon;

/// <summary>A value of the daemon's configuration that cannot be used; <see cref="Key"/> names it as it is written
/// in the file (Seller.Endpoint), so the operator knows which line to change.</summary>
public sealed class DaemonConfigurationException(string key, string message, Exception? inner = null)
    : Exception($"{key}: {message}", inner)
{
    public string Key { get; } = key;
}
