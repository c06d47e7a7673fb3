using System.Text.Json;
using ImpVpn.Core.Files;

namespace ImpVpn.Core.Store;

/// <summary>
/// Opens stores of schema 1, where every contract lay directly in <c>contracts/</c>: each file moves, as it is, into
/// its role's folder, where the role's repository reads it like one of schema 2. Each role moves only its own files,
/// and the seller only while it holds the seller's role, so a command run beside a seller never moves the files that
/// seller is working on. Moving (a rename within one folder tree) is atomic; a file that meets one of the same id
/// already moved (an older ImpVpn still writing there) never stops the store from opening: the newer of the two
/// becomes the live file and the other is kept beside it as <c>&lt;id&gt;.schema1-&lt;time&gt;.bak</c>, read by nothing.
/// </summary>
internal static class StoreMigration
{
    public static void MoveSchema1Contracts(string contractsFolder, string role, string roleFolder)
    {
        foreach (var path in Directory.EnumerateFiles(contractsFolder, "*.json").ToList())
        {
            // A file that is not a contract of this role stays where it is: another role moves it, or (not a
            // contract of any role) a person has to look at it.
            if (Peek(path) is not { } header || header.Role != role)
            {
                continue;
            }

            var target = Path.Combine(roleFolder, Path.GetFileName(path));
            try
            {
                if (!File.Exists(target))
                {
                    File.Move(path, target, overwrite: false);
                }
                else if (Peek(target) is { } existing && existing.UpdatedAt >= header.UpdatedAt)
                {
                    File.Move(path, BackupPath(target), overwrite: false);
                }
                else
                {
                    File.Move(target, BackupPath(target), overwrite: false);
                    File.Move(path, target, overwrite: false);
                }
            }
            catch (IOException) when (!File.Exists(path))
            {
                // Another process opening the same store moved it first.
            }
        }
    }

    public static void EnsureFolder(string path) => OwnerOnlyFile.CreatePrivateFolder(path);

    /// <summary>Whether a file left directly in <c>contracts/</c> is a schema-1 contract some role will move, rather
    /// than something a person has to look at.</summary>
    public static bool IsContractOfSomeRole(string path) => Peek(path)?.Role is "Buyer" or "Seller";

    private static string BackupPath(string target) =>
        Path.ChangeExtension(target, $".schema1-{DateTime.UtcNow:yyyyMMddHHmmssfff}.bak");

    private static Header? Peek(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var updated = root.TryGetProperty("UpdatedAt", out var at) && at.TryGetDateTimeOffset(out var time) ? time : DateTimeOffset.MinValue;
            return new Header(role.GetString()!, updated);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record Header(string Role, DateTimeOffset UpdatedAt);
}
