namespace ImpVpn.Core.WireGuard.Types;

/// <summary>No device of that name exists.</summary>
public sealed class WireGuardDeviceNotFoundException(string device)
    : WireGuardException($"There is no WireGuard device named '{device}'.")
{
    public string Device { get; } = device;
}
