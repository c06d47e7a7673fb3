namespace ImpVpn.Core.WireGuard.Types;

/// <summary>A WireGuard key given by a user or a peer is not 32 bytes in base64 (44 characters) or hex (64 characters).</summary>
public sealed class WireGuardKeyFormatException(string message) : FormatException(message);
