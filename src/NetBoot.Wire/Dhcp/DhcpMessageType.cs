namespace NetBoot.Wire.Dhcp;

/// <summary>Option 53 values (RFC 2132 §9.6, RFC 4388 leasequery, RFC 3203 forcerenew).</summary>
public enum DhcpMessageType : byte
{
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
    ForceRenew = 9,
    LeaseQuery = 10,
    LeaseUnassigned = 11,
    LeaseUnknown = 12,
    LeaseActive = 13,
}

/// <summary><c>op</c>: BOOTREQUEST or BOOTREPLY (RFC 951).</summary>
public enum BootOperation : byte
{
    BootRequest = 1,
    BootReply = 2,
}
