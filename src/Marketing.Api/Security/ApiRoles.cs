namespace Marketing.Api.Security;

/// <summary>Who calls the gateway. Each API key has exactly one role.</summary>
public static class ApiRoles
{
    /// <summary>The shop's web and app back ends: send events, read and update their shoppers.</summary>
    public const string Storefront = "storefront";

    /// <summary>Support agents' tools: read shoppers and the catalogue.</summary>
    public const string Agent = "agent";

    /// <summary>Marketers: campaigns and the catalogue.</summary>
    public const string Marketer = "marketer";

    /// <summary>Operators: everything, including imports of history.</summary>
    public const string Operator = "operator";

    public static IReadOnlyList<string> All { get; } = [Storefront, Agent, Marketer, Operator];
}

/// <summary>Authorization policies, one per kind of access; each endpoint group names the one it needs.</summary>
public static class ApiPolicies
{
    public const string SendEvents = "send-events";
    public const string ReadShoppers = "read-shoppers";
    public const string EraseShoppers = "erase-shoppers";
    public const string ReadCatalogue = "read-catalogue";
    public const string WriteCatalogue = "write-catalogue";
    public const string ManageCampaigns = "manage-campaigns";
    public const string Operate = "operate";
    public const string Converse = "converse";
    public const string AnswerConversations = "answer-conversations";

    /// <summary>The roles each policy admits; also shown per operation in the API reference.</summary>
    public static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>
    {
        [SendEvents] = [ApiRoles.Storefront, ApiRoles.Operator],
        // Profiles and consent are changed by the shop on the shopper's behalf, and read by support agents.
        [ReadShoppers] = [ApiRoles.Storefront, ApiRoles.Agent, ApiRoles.Operator],
        // Erasure requests usually reach the shop first; operators handle the rest.
        [EraseShoppers] = [ApiRoles.Storefront, ApiRoles.Operator],
        [ReadCatalogue] = [ApiRoles.Storefront, ApiRoles.Agent, ApiRoles.Marketer, ApiRoles.Operator],
        [WriteCatalogue] = [ApiRoles.Marketer, ApiRoles.Operator],
        [ManageCampaigns] = [ApiRoles.Marketer, ApiRoles.Operator],
        [Operate] = [ApiRoles.Operator],
        // The storefront's chat speaks for the shopper; agents read transcripts and answer them.
        [Converse] = [ApiRoles.Storefront, ApiRoles.Operator],
        [AnswerConversations] = [ApiRoles.Agent, ApiRoles.Operator],
    };
}
