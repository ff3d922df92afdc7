using Marketing.Abstractions;
using Marketing.Abstractions.Campaigns;
using Marketing.Abstractions.Conversations;
using Marketing.Abstractions.Search;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime.Messaging;

namespace Marketing.Api.Problems;

/// <summary>
/// The one place where exceptions become HTTP answers: bad bodies and grain-side validation are the caller's fault
/// (400/413), lifecycle conflicts are 409, an unreachable cluster is 503 (try again), anything else a bare 500.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler
{
    /// <summary>Seconds a client should wait before retrying when the cluster is unavailable.</summary>
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller hung up; there is no one to answer.
            return true;
        }

        var problem = Describe(httpContext, exception);
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private ProblemDetails Describe(HttpContext http, Exception exception)
    {
        switch (exception)
        {
            case BadRequestBodyException body when body.Errors is not null:
                return new HttpValidationProblemDetails(body.Errors) { Status = body.StatusCode, Title = body.Title, Detail = body.Message };
            case BadRequestBodyException body:
                return new ProblemDetails { Status = body.StatusCode, Title = body.Title, Detail = body.Message };
            case InvalidInputException invalid:
                return new HttpValidationProblemDetails(FieldErrors.ToDictionary(invalid.Errors))
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "Invalid input",
                    Detail = "The request has invalid fields; nothing was changed.",
                };
            case CampaignStateException conflict:
                return new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Not allowed in the campaign's current state", Detail = conflict.Message };
            case ConversationStateException conflict:
                return new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["status"] = [conflict.Message] })
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Not allowed in the conversation's current status",
                    Detail = conflict.Message,
                };
            case KeyNotFoundException missing:
                // A grain reports an entity removed between the gateway's existence check and its call.
                return new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = missing.Message };
            case BadHttpRequestException bad:
                return new ProblemDetails
                {
                    Status = bad.StatusCode,
                    Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request",
                    Detail = bad.Message,
                };
            case EncoderBusyException busy:
                http.Response.Headers.RetryAfter = "1";
                return new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "Text encoder busy", Detail = busy.Message };
            case Orleans.Storage.InconsistentStateException:
                // Two activations of one grain for a moment (silos joining or leaving): this one's write lost, and it
                // is retired; a retry reaches the survivor.
                http.Response.Headers.RetryAfter = "1";
                return new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Conflicting write",
                    Detail = "Another copy of this entity was stored at the same moment, as happens briefly while silos join or leave; this request changed nothing. Retry it.",
                };
            // A cancellation the caller did not ask for: a grain's activation gave up, e.g. while it waited for a
            // crashed silo's events to be replayed.
            case OrleansMessageRejectionException or ConnectionFailedException or TimeoutException or OperationCanceledException:
                LogClusterUnavailable(logger, http.Request.Method, http.Request.Path, exception.GetType().Name, exception.Message);
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Cluster unavailable",
                    Detail = "The marketing cluster did not answer in time. Retry shortly; resending events is safe.",
                };
            default:
                LogUnhandled(logger, exception, http.Request.Method, http.Request.Path);
                return new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "Internal error",
                    Detail = "The gateway failed to handle the request. The error has been logged.",
                };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: cluster unavailable ({ExceptionType}: {Reason})")]
    private static partial void LogClusterUnavailable(ILogger logger, string method, string path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
