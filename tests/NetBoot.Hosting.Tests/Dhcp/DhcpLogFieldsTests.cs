using Microsoft.Extensions.Logging;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Pxe;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Telemetry;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>DHCP log lines render as dnsmasq's log-dhcp lines while a structured sink sees each value as a field of
/// its own (the transaction id as a number, not glued to the text).</summary>
public class DhcpLogFieldsTests
{
    private sealed class StateLogger : ILogger
    {
        public List<(EventId Id, string Text, Dictionary<string, object?> Fields)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
            Entries.Add((eventId, formatter(state, exception), fields));
        }
    }

    [Fact]
    public void Log_dhcp_reply_line_starts_with_the_transaction_id_field()
    {
        var logger = new StateLogger();

        Log.ProxyRepliedVerbose(logger, 3735928559, "PXE", "eth0", "52:54:00:12:34:56", "DHCPDISCOVER", 67, 0, "X86Bios", "PXEClient:Arch:00000");

        var (id, text, fields) = Assert.Single(logger.Entries);
        Assert.Equal("3735928559 PXE(eth0) 52:54:00:12:34:56 proxy [DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient:Arch:00000]", text);
        Assert.Equal(1107, id.Id);
        Assert.Equal(3735928559u, fields["TransactionId"]);
        Assert.Equal("eth0", fields["Interface"]);
    }

    [Fact]
    public void A_proxy_reply_names_what_the_client_asked_as_fields_of_their_own()
    {
        var logger = new StateLogger();

        Log.ProxyReplied(logger, "PXE", "sv0", "52:54:00:4e:44:01", "DHCPDISCOVER", 67, 7, "X64Uefi", "PXEClient:Arch:00007:UNDI:003000");

        var (id, text, fields) = Assert.Single(logger.Entries);
        // The line the demo timeline and the interop tests read, unchanged.
        Assert.Equal("PXE(sv0) 52:54:00:4e:44:01 proxy [DHCPDISCOVER on 67, arch 7 X64Uefi, PXEClient:Arch:00007:UNDI:003000]", text);
        Assert.Equal(1100, id.Id);
        Assert.Equal("DHCPDISCOVER", fields["MessageType"]);
        Assert.Equal(67, fields["Port"]);
        Assert.Equal((ushort)7, fields["ClientArchitecture"]);
        Assert.Equal("X64Uefi", fields["ArchitectureName"]);
        Assert.Equal("PXEClient:Arch:00007:UNDI:003000", fields["VendorClass"]);
    }

    [Fact]
    public void A_boot_server_reply_names_the_clients_address_and_mac_as_fields_of_their_own()
    {
        var logger = new StateLogger();

        Log.BootServerReplied(logger, "PXE", "sv0", "10.77.0.114", "52:54:00:4e:44:01", "pxelinux.0", "DHCPREQUEST", 4011, 0, "X86Bios", 0x8000, 0, "PXEClient");

        var (id, text, fields) = Assert.Single(logger.Entries);
        // The line the demo timeline reads (DemoTimelineTests), unchanged.
        Assert.Equal("PXE(sv0) 10.77.0.114 52:54:00:4e:44:01 pxelinux.0 [DHCPREQUEST on 4011, arch 0 X86Bios, boot item 0x8000 layer 0, PXEClient]", text);
        Assert.Equal(1117, id.Id);
        Assert.Equal("10.77.0.114", fields["ClientAddress"]);
        Assert.Equal("52:54:00:4e:44:01", fields["HardwareAddress"]);
        Assert.Equal("pxelinux.0", fields["BootFile"]);
        Assert.Equal((ushort)0x8000, fields["BootItemType"]);
        Assert.Equal((ushort)0, fields["BootItemLayer"]);
    }

    [Fact]
    public void A_request_left_unanswered_names_the_engines_reason_as_an_enum_field_and_its_value_apart()
    {
        var logger = new StateLogger();

        Log.NotAnsweredForAddressVerbose(logger, 7, "DHCP", "eth0", "52:54:00:12:34:56", ProxySilenceReason.NoRangeForNetwork, "10.1.0.1", "DHCPDISCOVER", 67);
        Log.NotAnsweredForBootItem(logger, "PXE", "eth0", "52:54:00:12:34:56", ProxySilenceReason.NoServiceOfType, 0x8000, 0, "DHCPREQUEST", 4011);
        Log.NotAnswered(logger, "DHCP", "eth0", "52:54:00:12:34:56", LeaseSilenceReason.NoAddressAvailable, "DHCPDISCOVER", 67);

        Assert.Equal(
        [
            "7 DHCP(eth0) 52:54:00:12:34:56 no reply: NoRangeForNetwork (10.1.0.1) [DHCPDISCOVER on 67]",
            "PXE(eth0) 52:54:00:12:34:56 no reply: NoServiceOfType (boot item 0x8000 layer 0) [DHCPREQUEST on 4011]",
            "DHCP(eth0) 52:54:00:12:34:56 no reply: NoAddressAvailable [DHCPDISCOVER on 67]",
        ], logger.Entries.Select(e => e.Text).ToArray());
        Assert.Equal([1121, 1124, 1102], logger.Entries.Select(e => e.Id.Id).ToArray());
        Assert.Equal(ProxySilenceReason.NoRangeForNetwork, logger.Entries[0].Fields["Reason"]);
        Assert.Equal("10.1.0.1", logger.Entries[0].Fields["Address"]);
        Assert.Equal("eth0", logger.Entries[0].Fields["Interface"]);
        Assert.Equal((ushort)0x8000, logger.Entries[1].Fields["BootItemType"]);
        Assert.Equal(LeaseSilenceReason.NoAddressAvailable, logger.Entries[2].Fields["Reason"]);
    }

    [Fact]
    public void A_nak_names_the_requested_address_and_its_message_as_fields()
    {
        var logger = new StateLogger();

        LeaseLog.Nak(logger, "DHCPNAK", "eth1", "192.168.67.20", "52:54:00:12:34:56", "wrong network");

        var (id, text, fields) = Assert.Single(logger.Entries);
        Assert.Equal("DHCPNAK(eth1) 192.168.67.20 52:54:00:12:34:56 wrong network", text);
        Assert.Equal(1314, id.Id);
        Assert.Equal("192.168.67.20", fields["Address"]);
        Assert.Equal("wrong network", fields["Message"]);
    }

    [Fact]
    public void Reply_line_without_log_dhcp_has_no_transaction_id()
    {
        var logger = new StateLogger();

        LeaseLog.Reply(logger, "DHCPACK", "eth1", "192.168.67.20", "52:54:00:12:34:56", "host");

        var (_, text, fields) = Assert.Single(logger.Entries);
        Assert.Equal("DHCPACK(eth1) 192.168.67.20 52:54:00:12:34:56 host", text);
        Assert.False(fields.ContainsKey("TransactionId"));
        Assert.Equal("host", fields["HostName"]);
    }

    [Fact]
    public void A_lease_change_without_reply_names_its_reason_as_an_enum_field_not_a_line_of_text()
    {
        var logger = new StateLogger();

        LeaseLog.RecordedVerbose(logger, 7, "DHCPRELEASE", "eth1", "192.168.67.20", "52:54:00:12:34:56", LeaseSilenceReason.UnknownLease);
        LeaseLog.Recorded(logger, "DHCPDECLINE", "eth1", "192.168.67.21", "52:54:00:12:34:57", LeaseSilenceReason.Declined);

        Assert.Equal(["7 DHCPRELEASE(eth1) 192.168.67.20 52:54:00:12:34:56 UnknownLease", "DHCPDECLINE(eth1) 192.168.67.21 52:54:00:12:34:57 Declined"],
            logger.Entries.Select(e => e.Text).ToArray());
        Assert.Equal([1311, 1301], logger.Entries.Select(e => e.Id.Id).ToArray());
        var fields = logger.Entries[0].Fields;
        Assert.Equal(LeaseSilenceReason.UnknownLease, fields["Reason"]);
        Assert.Equal("192.168.67.20", fields["Address"]);
        Assert.Equal("52:54:00:12:34:56", fields["HardwareAddress"]);
        Assert.Equal("DHCPRELEASE", fields["MessageType"]);
        Assert.Equal("eth1", fields["Interface"]);
    }

    [Fact]
    public void A_request_for_another_server_names_that_server_as_a_field()
    {
        var logger = new StateLogger();

        LeaseLog.RecordedForServer(logger, "DHCPREQUEST", "eth1", "192.168.67.20", "52:54:00:12:34:56", LeaseSilenceReason.WrongServer, "192.168.67.2");

        var (id, text, fields) = Assert.Single(logger.Entries);
        Assert.Equal("DHCPREQUEST(eth1) 192.168.67.20 52:54:00:12:34:56 WrongServer: the client chose server 192.168.67.2", text);
        Assert.Equal(1312, id.Id);
        Assert.Equal(LeaseSilenceReason.WrongServer, fields["Reason"]);
        Assert.Equal("192.168.67.2", fields["Server"]);
    }

    [Fact]
    public void Sent_option_line_keeps_dnsmasq_columns_with_separate_fields()
    {
        var logger = new StateLogger();
        var option = DhcpOption.Create(DhcpOptionCode.ServerIdentifier, [192, 168, 1, 10]);

        Log.OptionSent(logger, 7, option.Data.Length, (byte)option.Code, OptionLogText.Name(option), OptionLogText.Value(option));

        var (_, text, fields) = Assert.Single(logger.Entries);
        Assert.Equal("7 " + OptionLogText.Describe(option), text);
        Assert.Equal((byte)54, fields["Code"]);
        Assert.Equal("192.168.1.10", fields["Value"]);
    }

    [Fact]
    public void Tags_are_one_field_holding_the_list()
    {
        var logger = new StateLogger();

        Log.Tags(logger, 7, ["known", "efi64"]);

        var (_, text, fields) = Assert.Single(logger.Entries);
        Assert.Equal("7 tags: known, efi64", text);
        Assert.Equal(["known", "efi64"], Assert.IsAssignableFrom<IEnumerable<string>>(fields["Tags"]));
    }
}
