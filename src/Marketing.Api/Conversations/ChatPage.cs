namespace Marketing.Api.Conversations;

/// <summary>
/// A small storefront chat at <c>/chat</c> that talks to the conversation API, so the loop can be tried in a
/// browser. A shop would embed the same calls in its own page; here the storefront key is typed in.
/// </summary>
public static class ChatPage
{
    public const string Path = "/chat";

    public static WebApplication MapChatPage(this WebApplication app)
    {
        app.MapGet(Path, () => TypedResults.Content(Html, "text/html; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Shop chat</title>
          <style>
            body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }
            #log { border: 1px solid #cbd2d9; border-radius: 6px; padding: .75rem; height: 24rem; overflow-y: auto; background: #f8fafc; }
            .turn { margin: .4rem 0; white-space: pre-wrap; }
            .shopper { text-align: right; } .shopper span { background: #d9e8ff; }
            .bot span, .agent span { background: #fff; border: 1px solid #e4e7eb; }
            .system { color: #7b8794; font-size: .85rem; text-align: center; }
            .turn span { display: inline-block; padding: .3rem .6rem; border-radius: 12px; max-width: 85%; text-align: left; }
            form { display: flex; gap: .5rem; margin-top: .5rem; } input[name=text] { flex: 1; }
            label { display: block; margin: .25rem 0; }
          </style>
        </head>
        <body>
          <h1>Chat with the shop</h1>
          <label>Storefront API key <input id="key" value="dev-storefront-key"></label>
          <label>Your user id <input id="user" value="alice"></label>
          <p id="status">Not started.</p>
          <div id="log" aria-live="polite"></div>
          <form id="send"><input name="text" maxlength="2000" placeholder="Where is my order?" autocomplete="off"><button>Send</button></form>
          <script>
            let conversation = null, shown = 0;
            const log = document.getElementById('log'), status = document.getElementById('status');
            const headers = () => ({ 'X-Api-Key': document.getElementById('key').value, 'Content-Type': 'application/json' });
            function show(turns) {
              for (const t of turns.slice(shown)) {
                const div = document.createElement('div'), span = document.createElement('span');
                div.className = 'turn ' + t.role; span.textContent = t.role === 'agent' ? t.author + ': ' + t.text : t.text;
                div.appendChild(span); log.appendChild(div);
              }
              shown = turns.length; log.scrollTop = log.scrollHeight;
            }
            async function call(method, path, body) {
              const r = await fetch(path, { method, headers: headers(), body: body && JSON.stringify(body) });
              const json = await r.json();
              if (!r.ok) throw new Error(json.detail || json.title || r.status);
              return json;
            }
            async function refresh() {
              if (!conversation) return;
              const view = await call('GET', '/conversations/' + conversation);
              status.textContent = 'Conversation ' + conversation + ': ' + view.status;
              show(view.turns);
            }
            document.getElementById('send').addEventListener('submit', async e => {
              e.preventDefault();
              const input = e.target.text, text = input.value; input.value = '';
              try {
                if (!conversation) conversation = (await call('POST', '/conversations', { userId: document.getElementById('user').value })).id;
                await call('POST', '/conversations/' + conversation + '/messages', { text });
                await refresh();
              } catch (err) { status.textContent = 'Error: ' + err.message; }
            });
            setInterval(() => refresh().catch(() => {}), 3000);
          </script>
        </body>
        </html>
        """;
}
