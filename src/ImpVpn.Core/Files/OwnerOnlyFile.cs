using System.Text;

namespace ImpVpn.Core.Files;

/// <summary>
/// Files and folders only their owner can open: private keys, wg-quick files, QR codes and contracts. Owner-only from
/// the moment they exist (mode 0600 / 0700; on Windows an ACL for the current user, SYSTEM and Administrators, with
/// inheritance cut), never tightened afterwards, because a window between creation and chmod is a window in which
/// another user can open the file and keep the handle. The one implementation of this in ImpVpn.
/// </summary>
public static class OwnerOnlyFile
{
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically: into a new owner-only file
    /// beside it, flushed to disk, then renamed over <paramref name="path"/>. A crash at any point leaves the old
    /// file or the new one, never a torn one; a same-folder rename keeps the temporary file's mode or ACL. Missing
    /// parent folders are created with the default mode (the file itself is what holds the secret).</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = CreateNew(temporary))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // Only left behind when writing or renaming failed; it may hold part of the secret.
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary><see cref="WriteAllBytes"/> of the text as UTF-8 without a byte order mark (wg(8) and wg-quick
    /// read a BOM as part of the first line).</summary>
    public static void WriteAllText(string path, string content) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(content));

    /// <summary>Creates the folder (and missing parents) owner-only: mode 0700, or the owner-only ACL on Windows,
    /// inherited by what is created inside. A folder that exists already is left as it is.</summary>
    public static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            OwnerOnlyAcl.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, PrivateFolderMode);
        }
    }

    // FileMode.CreateNew: a file someone else placed at the temporary name is never reused (it would keep their access).
    private static FileStream CreateNew(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return OwnerOnlyAcl.CreateFile(path);
        }

        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = PrivateFileMode,
        });
    }
}
