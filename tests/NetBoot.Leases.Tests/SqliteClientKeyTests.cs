using NetBoot.Engine.Leases;

namespace NetBoot.Leases.Tests;

/// <summary>The client key as schema version 2 stores it: hw:/id: keys as a tag byte and their bytes, any other key as
/// its text; reading gives back the very key that was written.</summary>
public sealed class SqliteClientKeyTests
{
    [Theory]
    [InlineData("hw:01525400123456", "6801525400123456")]
    [InlineData("id:ff00112233", "69ff00112233")]
    [InlineData("declined:192.168.67.3", "74" + "6465636c696e65643a3139322e3136382e36372e33")]
    [InlineData("hw:0152540012345", "74" + "68773a30313532353430303132333435")]
    [InlineData("hw:01525400ABCDEF", "74" + "68773a3031353235343030414243444546")]
    [InlineData("", "74")]
    public void A_key_is_stored_as_tagged_bytes_and_read_back_unchanged(string key, string stored)
    {
        var bytes = SqliteClientKey.Encode(new ClientKey(key));

        Assert.Equal(stored, Convert.ToHexStringLower(bytes));
        Assert.Equal(new ClientKey(key), SqliteClientKey.Decode(bytes));
    }

    [Fact]
    public void A_blob_no_netboot_wrote_is_refused_naming_it()
    {
        var error = Assert.Throws<InvalidDataException>(() => SqliteClientKey.Decode([0x00, 0x01]));

        Assert.Contains("holds 0001", error.Message, StringComparison.Ordinal);
    }
}
