namespace ImpVpn.Core.Protocol;

/// <summary>The region label of a seller's offer (impvpn.v1.offer): 1 to <see cref="MaxLength"/> ASCII letters,
/// digits, '-' and spaces, not starting or ending with a space. One rule for both roles: a seller refuses to start
/// with another label, and a buyer refuses an offer carrying one.</summary>
public static class OfferRegion
{
    public const int MaxLength = 32;

    public static bool IsValid(string? region) =>
        region is { Length: > 0 and <= MaxLength }
        && region[0] != ' ' && region[^1] != ' '
        && region.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == ' ');
}
