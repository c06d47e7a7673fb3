using ImpVpn.Core.WireGuard.Windows;

namespace ImpVpn.Core.WireGuard;

/// <summary>Creates a new file only its owner can read: mode 0600 on Unix, an owner/SYSTEM/Administrators ACL on
/// Windows, set at creation rather than after the first byte is written.</summary>
internal static class OwnerOnlyFile
{
    public static FileStream CreateNew(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return OwnerOnlyAcl.CreateFile(path);
        }

        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }
}
