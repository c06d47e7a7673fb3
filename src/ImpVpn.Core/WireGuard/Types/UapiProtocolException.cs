namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A UAPI reply broke the protocol: cut short (no final errno line, e.g. the device's process died
/// mid-reply) or otherwise not what the UAPI sends. Treated as a failure, never as a smaller device.</summary>
public sealed class UapiProtocolException(string device, string problem)
    : WireGuardException($"WireGuard device '{device}' sent an invalid UAPI reply: {problem}")
{
    public string Device { get; } = device;
}
