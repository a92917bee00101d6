namespace NetBoot.Configuration.Model;

/// <summary><c>pxe-service=[tag:t,…]CSA,"menu text"[,basename|boot-service-type][,server address|name]</c>.</summary>
public sealed record PxeServiceConfig
{
    /// <summary>Client system architecture (option 93 value) this entry is shown to.</summary>
    public required ushort Architecture { get; init; }
    public required string MenuText { get; init; }
    /// <summary>Boot server type: 0 = local boot, small integers = discovered servers, 0x8000+n for the n-th basename.</summary>
    public required ushort BootServerType { get; init; }
    /// <summary>Null for local boot and integer types.</summary>
    public string? BaseName { get; init; }
    /// <summary>IPv4 literal or host name of the boot server; null = this server.</summary>
    public string? Server { get; init; }
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }

    public bool IsLocalBoot => BootServerType == 0;

    /// <summary>The file a client asks for: dnsmasq parity (§1.7), a basename without any <c>.</c> gets <c>.0</c> (layer
    /// 0); with one it is used as is. Null for local boot and integer types.</summary>
    public string? BootFileName => BaseName is null ? null : FileNameOf(BaseName);

    /// <summary>The <c>.0</c> rule of <see cref="BootFileName"/>.</summary>
    public static string FileNameOf(string baseName)
    {
        ArgumentNullException.ThrowIfNull(baseName);
        return baseName.Contains('.', StringComparison.Ordinal) ? baseName : baseName + ".0";
    }
}

/// <summary><c>pxe-prompt=[tag:t,…]"prompt"[,timeout]</c>; timeout absent = 255 (wait for the user).</summary>
public sealed record PxePromptConfig
{
    public required string Text { get; init; }
    public byte Timeout { get; init; } = 255;
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}
