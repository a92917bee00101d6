namespace NetBoot.Wire.Dhcp6;

/// <summary><c>msg-type</c> (RFC 8415 §7.3, IANA "DHCPv6 Message Types").</summary>
public enum Dhcp6MessageType : byte
{
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
    /// <summary><c>RELAY-FORW</c>: relay-agent format (RFC 8415 §9).</summary>
    RelayForward = 12,
    /// <summary><c>RELAY-REPL</c>: relay-agent format (RFC 8415 §9).</summary>
    RelayReply = 13,
}

/// <summary>Status codes carried in option 13 (RFC 8415 §21.13).</summary>
public enum Dhcp6Status : ushort
{
    Success = 0,
    UnspecFail = 1,
    NoAddrsAvail = 2,
    NoBinding = 3,
    NotOnLink = 4,
    UseMulticast = 5,
    NoPrefixAvail = 6,
}
