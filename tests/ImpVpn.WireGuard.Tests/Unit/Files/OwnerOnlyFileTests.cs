using ImpVpn.Core.Files;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class OwnerOnlyFileTests : IDisposable
{
    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _folder = Directory.CreateTempSubdirectory("ivt-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [SkippableFact]
    public void A_new_file_is_owner_only_and_holds_exactly_what_was_written()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        var path = Path.Combine(_folder, "sub", "key");

        OwnerOnlyFile.WriteAllText(path, "secret ✓");

        Assert.Equal(ReadWrite, File.GetUnixFileMode(path));
        // UTF-8 without a byte order mark: wg and wg-quick would read one as part of the first line.
        Assert.Equal("secret ✓"u8.ToArray(), File.ReadAllBytes(path));
    }

    [SkippableFact]
    public void Replacing_a_file_swaps_it_whole_leaves_no_temporary_file_and_never_keeps_a_wider_mode()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        var path = Path.Combine(_folder, "contract.json");
        File.WriteAllText(path, "an older and much longer version of the file");
        File.SetUnixFileMode(path, ReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        OwnerOnlyFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(ReadWrite, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [SkippableFact]
    public void A_private_folder_is_0700_and_an_existing_one_is_left_as_it_is()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows");
        var created = Path.Combine(_folder, "keys");
        var existing = Directory.CreateDirectory(Path.Combine(_folder, "shared")).FullName;
        var before = File.GetUnixFileMode(existing);

        OwnerOnlyFile.CreatePrivateFolder(created);
        OwnerOnlyFile.CreatePrivateFolder(existing);

        Assert.Equal(ReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(created));
        Assert.Equal(before, File.GetUnixFileMode(existing));
    }
}
