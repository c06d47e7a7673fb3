namespace ImpVpn.Core.WireGuard.Types;

/// <summary>ImpVpn cannot make WireGuard interfaces on this operating system (macOS, BSDs): only config-only
/// purchases work there, with the exported config imported into the platform's own WireGuard app. A
/// <see cref="PlatformNotSupportedException"/>, so callers that already handle that need nothing new.</summary>
public sealed class WireGuardPlatformNotSupportedException(string operatingSystem)
    : PlatformNotSupportedException(
        $"ImpVpn cannot set up WireGuard interfaces on {operatingSystem}; only config-only purchases work there, their " +
        "configuration imported into the platform's WireGuard app.")
{
    public string OperatingSystem { get; } = operatingSystem;
}
