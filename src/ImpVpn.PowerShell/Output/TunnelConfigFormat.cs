namespace ImpVpn.PowerShell.Output;

/// <summary>How Export-VpnTunnelConfig writes a tunnel: a wg-quick .conf file, or the same text as a QR code
/// picture (PNG) that WireGuard's phone apps scan.</summary>
public enum TunnelConfigFormat
{
    Conf,
    QrCodePng,
}
