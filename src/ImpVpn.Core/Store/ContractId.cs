namespace ImpVpn.Core.Store;

/// <summary>Contract ids as both sides use them: 1 to 64 ASCII letters and digits, so an id is always a safe file
/// name. The seller chooses them; the buyer refuses any other.</summary>
public static class ContractId
{
    public static bool IsValid(string? id) => id is { Length: > 0 and <= 64 } && id.All(char.IsAsciiLetterOrDigit);
}
