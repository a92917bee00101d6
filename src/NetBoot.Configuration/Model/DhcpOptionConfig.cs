using System.Collections.Immutable;

namespace NetBoot.Configuration.Model;

public enum DhcpOptionDirective
{
    /// <summary><c>dhcp-option</c>: sent when the client asks for it (option 55).</summary>
    Normal,
    /// <summary><c>dhcp-option-force</c>: sent whether asked or not.</summary>
    Force,
    /// <summary><c>dhcp-option-pxe</c>: the only options sent in proxy replies (dnsmasq 2.91).</summary>
    Pxe,
}

/// <summary>One <c>dhcp-option</c>-family line with its value already encoded to wire bytes.</summary>
public sealed record DhcpOptionConfig
{
    /// <summary>The option code, or the sub-option code when <see cref="VendorClass"/> or <see cref="EncapsulatingOption"/> is set.</summary>
    public required byte Code { get; init; }
    /// <summary>Encoded value (may be empty: an option with no data).</summary>
    public required ImmutableArray<byte> Value { get; init; }
    public DhcpOptionDirective Directive { get; init; } = DhcpOptionDirective.Normal;
    /// <summary><c>vendor:CLASS</c>: encapsulate in option 43 for clients whose option 60 contains CLASS ("" = every client).</summary>
    public string? VendorClass { get; init; }
    /// <summary><c>encap:N</c>: encapsulate as a sub-option of option N.</summary>
    public byte? EncapsulatingOption { get; init; }
    /// <summary><c>vi-encap:ENTERPRISE</c>: a sub-option of option 125 for that enterprise number.</summary>
    public uint? VendorIdentifyingEnterprise { get; init; }
    /// <summary>An address list containing <c>0.0.0.0</c>: dnsmasq replaces each such address with the address of the
    /// interface the reply goes out of ("the machine running dnsmasq"). Never set for encapsulated options.</summary>
    public bool HasServerAddressPlaceholder { get; init; }
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}
