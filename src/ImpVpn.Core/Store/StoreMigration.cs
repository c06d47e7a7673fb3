using System.Text.Json;
using ImpVpn.Core.Files;

namespace ImpVpn.Core.Store;

/// <summary>Opens stores of schema 1, where every contract lay directly in <c>contracts/</c>: each file moves, as
/// it is, into its role's folder, where the repositories read it like one of schema 2. Moving (a rename within one
/// folder tree) is atomic, so a crash or a second process doing the same midway loses nothing.</summary>
internal static class StoreMigration
{
    private static readonly Dictionary<string, string> FolderOfRole = new(StringComparer.Ordinal)
    {
        ["Buyer"] = "bought",
        ["Seller"] = "sold",
    };

    public static void MoveSchema1Contracts(string contractsFolder)
    {
        foreach (var path in Directory.EnumerateFiles(contractsFolder, "*.json").ToList())
        {
            // A file that is not a contract of a known role stays where it is, for a person to look at.
            if (RoleOf(path) is not { } role || !FolderOfRole.TryGetValue(role, out var folder))
            {
                continue;
            }

            var target = Path.Combine(contractsFolder, folder);
            OwnerOnlyFile.CreatePrivateFolder(target);
            try
            {
                File.Move(path, Path.Combine(target, Path.GetFileName(path)), overwrite: false);
            }
            catch (IOException) when (!File.Exists(path))
            {
                // Another process opening the same store moved it first.
            }
        }
    }

    private static string? RoleOf(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("Role", out var role)
                ? role.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return null;
        }
    }
}
