namespace ImpVpn.Core.WireGuard.Export;

/// <summary>Writes files that hold secrets: created owner-only from the first byte (mode 0600; on Windows an ACL for
/// the current user, SYSTEM and Administrators; never tightened after), replacing an existing file atomically
/// through a temporary file in the same folder (a same-volume move keeps the ACL).</summary>
public static class SecretFileWriter
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = OwnerOnlyFile.CreateNew(temporary))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public static void WriteAllText(string path, string content) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content));
}
