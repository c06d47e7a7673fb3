namespace ImpVpn.Core.Store;

/// <summary>Folders only their owner may enter (0700 on Unix; on Windows the per-user profile folder the store
/// lives in already limits them to the user).</summary>
internal static class PrivateFolder
{
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
