using System.Text.Json;

namespace ImpVpn.Core.Store;

/// <summary>Whether a file left directly in <c>contracts/</c> is a schema-1 contract some role will move, rather than
/// something a person has to look at.</summary>
internal static class StoreMigrationProbe
{
    public static bool IsContractOfSomeRole(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Role", out var role)
                && role.GetString() is "Buyer" or "Seller";
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
