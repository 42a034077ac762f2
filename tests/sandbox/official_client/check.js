#!/usr/bin/env node
// Drives Mattermost's official JavaScript client (@mattermost/client, Client4) through every
// endpoint mmrc uses, against a running server (meant for the mmrc sandbox; it also runs
// against a real Mattermost, given an admin token and a server where the oc-* names are free).
//
//   node check.js <server-url> <admin-token>
//
// Prints a JSON report on stdout: one entry per call, {name, method, ok, ...} with the HTTP
// exchanges the client made and, on failure, the problems or the error. Exits 0 only when
// every call behaved as a real server would (1 on any mismatch, 2 on bad usage).
//
// Besides each call's own checks (shapes, values), every response must carry
// `Content-Type: application/json` exactly: Client4 compares the header as a string and
// otherwise hands back the body as text (and a ClientError without server_error_id).
'use strict';

const {Client4, ClientError} = require('@mattermost/client');
const clientVersion = require('@mattermost/client/package.json').version;

const [url, token] = process.argv.slice(2);
if (!url || !token) {
    process.stderr.write('usage: node check.js <server-url> <admin-token>\n');
    process.exit(2);
}

// -- recording every HTTP exchange the client makes ------------------------------------------

const exchanges = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
    const response = await realFetch(input, init);
    const target = new URL(String(input));
    exchanges.push({
        method: String(init.method || 'get').toUpperCase(),
        path: target.pathname + target.search,
        status: response.status,
        content_type: response.headers.get('content-type'),
        request_id: response.headers.get('x-request-id'),
        version_id: response.headers.get('x-version-id'),
    });
    return response;
};

function newClient(withToken) {
    const client = new Client4();
    client.setUrl(url.replace(/\/+$/, ''));
    client.setToken(withToken);
    client.setIncludeCookies(false);
    return client;
}

const client = newClient(token);
const calls = [];

// -- checking helpers -------------------------------------------------------------------------

const ID = /^[a-z0-9]{26}$/;

class Checks {
    constructor() {
        this.problems = [];
    }

    that(condition, message) {
        if (!condition) {
            this.problems.push(message);
        }
        return Boolean(condition);
    }

    object(value, what = 'response') {
        return this.that(value !== null && typeof value === 'object' && !Array.isArray(value),
            `${what} is not a JSON object (got ${describeValue(value)})`);
    }

    array(value, what = 'response') {
        return this.that(Array.isArray(value), `${what} is not a JSON array (got ${describeValue(value)})`);
    }

    id(value, what) {
        return this.that(typeof value === 'string' && ID.test(value), `${what} is not a 26-character id: ${JSON.stringify(value)}`);
    }

    equal(actual, expected, what) {
        return this.that(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }

    statusOK(value) {
        if (this.object(value)) {
            this.equal(value.status, 'OK', 'status');
        }
    }

    millis(value, what) {
        return this.that(Number.isInteger(value) && value > 1e12, `${what} is not a millisecond timestamp: ${JSON.stringify(value)}`);
    }
}

function describeValue(value) {
    if (typeof value === 'string') {
        return `string ${JSON.stringify(value.slice(0, 80))}`;
    }
    return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

function describeError(err) {
    if (err instanceof ClientError) {
        return {
            type: 'ClientError',
            message: err.message,
            server_error_id: err.server_error_id,
            status_code: err.status_code,
            detailed_error: err.detailed_error,
            url: err.url,
            cause: err.cause ? String(err.cause) : undefined,
        };
    }
    return {type: err && err.constructor ? err.constructor.name : typeof err, message: String(err && err.stack ? err.stack : err)};
}

function exchangeProblems(http, checks) {
    for (const exchange of http) {
        checks.that(exchange.content_type === 'application/json',
            `${exchange.method} ${exchange.path}: Content-Type ${JSON.stringify(exchange.content_type)} is not exactly "application/json"`);
        checks.that(Boolean(exchange.request_id), `${exchange.method} ${exchange.path}: no X-Request-Id header`);
        checks.that(Boolean(exchange.version_id), `${exchange.method} ${exchange.path}: no X-Version-Id header`);
    }
}

// Runs one client call; `check(result, checks)` adds problems; `status` is the HTTP status a
// real server answers with (Client4 only tells 2xx from the rest, so 200 vs 201 is checked here).
// Returns the result (undefined when the call rejected), so later calls can go on with what
// earlier ones created.
async function call(name, method, run, check, status = 200) {
    const start = exchanges.length;
    const entry = {name, method, ok: false};
    const checks = new Checks();
    let result;
    try {
        result = await run();
        if (check) {
            check(result, checks);
        }
    } catch (err) {
        entry.error = describeError(err);
    }
    entry.http = exchanges.slice(start);
    exchangeProblems(entry.http, checks);
    for (const exchange of entry.http) {
        checks.equal(exchange.status, status, `${exchange.method} ${exchange.path} HTTP status`);
    }
    if (!entry.error) {
        entry.ok = checks.problems.length === 0;
    }
    if (checks.problems.length) {
        entry.problems = checks.problems;
    }
    calls.push(entry);
    return entry.error ? undefined : result;
}

// A call that must reject with the client's ClientError carrying this status and error id.
async function callFails(name, method, run, status, errorId) {
    const start = exchanges.length;
    const entry = {name, method, ok: false, expected: {status_code: status, server_error_id: errorId}};
    const checks = new Checks();
    try {
        const result = await run();
        checks.that(false, `resolved instead of rejecting: ${JSON.stringify(result).slice(0, 200)}`);
    } catch (err) {
        entry.error = describeError(err);
        if (checks.that(err instanceof ClientError, 'rejected with something other than ClientError')) {
            checks.equal(err.status_code, status, 'status_code');
            checks.equal(err.server_error_id, errorId, 'server_error_id');
            checks.that(typeof err.message === 'string' && err.message.length > 0, 'empty message');
        }
    }
    entry.http = exchanges.slice(start);
    exchangeProblems(entry.http, checks);
    for (const exchange of entry.http) {
        checks.equal(exchange.status, status, `${exchange.method} ${exchange.path} HTTP status`);
    }
    entry.ok = checks.problems.length === 0;
    if (checks.problems.length) {
        entry.problems = checks.problems;
    }
    calls.push(entry);
}

// -- shape checks -----------------------------------------------------------------------------

function checkTeam(team, checks, expect = {}) {
    if (!checks.object(team, 'team')) {
        return;
    }
    checks.id(team.id, 'team.id');
    checks.millis(team.create_at, 'team.create_at');
    for (const [key, value] of Object.entries(expect)) {
        checks.equal(team[key], value, `team.${key}`);
    }
    for (const key of ['name', 'display_name', 'type', 'description', 'invite_id', 'allowed_domains']) {
        checks.that(typeof team[key] === 'string', `team.${key} is not a string`);
    }
    checks.that(typeof team.allow_open_invite === 'boolean', 'team.allow_open_invite is not a boolean');
}

function checkChannel(channel, checks, expect = {}) {
    if (!checks.object(channel, 'channel')) {
        return;
    }
    checks.id(channel.id, 'channel.id');
    checks.id(channel.team_id, 'channel.team_id');
    checks.millis(channel.create_at, 'channel.create_at');
    for (const key of ['name', 'display_name', 'type', 'header', 'purpose', 'creator_id']) {
        checks.that(typeof channel[key] === 'string', `channel.${key} is not a string`);
    }
    checks.that(Number.isInteger(channel.delete_at), 'channel.delete_at is not an integer');
    for (const [key, value] of Object.entries(expect)) {
        checks.equal(channel[key], value, `channel.${key}`);
    }
}

function checkUser(user, checks, expect = {}) {
    if (!checks.object(user, 'user')) {
        return;
    }
    checks.id(user.id, 'user.id');
    for (const key of ['username', 'roles', 'first_name', 'last_name', 'nickname', 'locale']) {
        checks.that(typeof user[key] === 'string', `user.${key} is not a string`);
    }
    checks.that(!('password' in user) || user.password === '', 'user.password is exposed');
    for (const [key, value] of Object.entries(expect)) {
        checks.equal(user[key], value, `user.${key}`);
    }
}

function checkTeamMember(member, checks, teamId, userId) {
    if (!checks.object(member, 'team member')) {
        return;
    }
    checks.equal(member.team_id, teamId, 'member.team_id');
    checks.equal(member.user_id, userId, 'member.user_id');
    checks.that(typeof member.roles === 'string', 'member.roles is not a string');
    checks.that(typeof member.scheme_user === 'boolean', 'member.scheme_user is not a boolean');
    checks.that(typeof member.scheme_admin === 'boolean', 'member.scheme_admin is not a boolean');
    checks.equal(member.delete_at, 0, 'member.delete_at');
}

function checkChannelMember(member, checks, channelId, userId) {
    if (!checks.object(member, 'channel member')) {
        return;
    }
    checks.equal(member.channel_id, channelId, 'member.channel_id');
    checks.equal(member.user_id, userId, 'member.user_id');
    checks.that(typeof member.roles === 'string', 'member.roles is not a string');
    checks.that(checks.object(member.notify_props, 'member.notify_props'), 'member.notify_props');
    checks.that(typeof member.scheme_user === 'boolean', 'member.scheme_user is not a boolean');
}

function checkBot(bot, checks, expect = {}) {
    if (!checks.object(bot, 'bot')) {
        return;
    }
    checks.id(bot.user_id, 'bot.user_id');
    checks.id(bot.owner_id, 'bot.owner_id');
    for (const key of ['username', 'display_name', 'description']) {
        checks.that(typeof bot[key] === 'string', `bot.${key} is not a string`);
    }
    for (const [key, value] of Object.entries(expect)) {
        checks.equal(bot[key], value, `bot.${key}`);
    }
}

function checkModerations(moderations, checks) {
    if (!checks.array(moderations, 'moderations')) {
        return {};
    }
    const byName = {};
    for (const moderation of moderations) {
        if (checks.object(moderation, 'moderation') && checks.object(moderation.roles, `moderation ${moderation.name}.roles`)) {
            byName[moderation.name] = moderation.roles;
            const members = moderation.roles.members;
            checks.that(members && typeof members.value === 'boolean' && typeof members.enabled === 'boolean',
                `moderation ${moderation.name}.roles.members is not {value, enabled}`);
        }
    }
    for (const name of ['create_post', 'create_reactions', 'manage_members', 'use_channel_mentions']) {
        checks.that(name in byName, `no moderation named ${name}`);
    }
    return byName;
}

function includesBy(list, key, value) {
    return Array.isArray(list) && list.some((item) => item && item[key] === value);
}

// -- the run ----------------------------------------------------------------------------------

async function main() {
    // system
    await call('ping', 'ping', () => client.ping(false), (r, c) => {
        if (c.object(r)) {
            c.equal(r.status, 'OK', 'status');
        }
    });
    await call('ping with server status', 'ping', () => client.ping(true), (r, c) => {
        if (c.object(r)) {
            c.equal(r.status, 'OK', 'status');
            c.equal(r.database_status, 'OK', 'database_status');
            c.equal(r.filestore_status, 'OK', 'filestore_status');
        }
    });
    const me = await call('me', 'getMe', () => client.getMe(), (r, c) => {
        checkUser(r, c);
        c.that(r && String(r.roles).split(' ').includes('system_admin'), 'the token is not a system admin');
    });
    await call('client license (old format)', 'getClientLicenseOld', () => client.getClientLicenseOld(), (r, c) => {
        if (c.object(r)) {
            c.that(r.IsLicensed === 'true' || r.IsLicensed === 'false', `IsLicensed is not "true"/"false": ${JSON.stringify(r.IsLicensed)}`);
        }
    });
    await call('client config (old format)', 'getClientConfig', () => client.getClientConfig(), (r, c) => {
        if (c.object(r)) {
            c.that(typeof r.Version === 'string' && r.Version.length > 0, 'no Version');
        }
    });

    // teams
    const team = await call('create team', 'createTeam',
        () => client.createTeam({name: 'oc-alpha', display_name: 'OC Alpha', type: 'O'}),
        (r, c) => checkTeam(r, c, {name: 'oc-alpha', display_name: 'OC Alpha', type: 'O', delete_at: 0}), 201);
    const teamId = team && team.id;
    await call('create second team', 'createTeam',
        () => client.createTeam({name: 'oc-beta', display_name: 'OC Beta', type: 'I'}),
        (r, c) => checkTeam(r, c, {name: 'oc-beta', type: 'I'}), 201);
    await call('list teams', 'getTeams', () => client.getTeams(0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'name', 'oc-alpha') && includesBy(r, 'name', 'oc-beta'), 'created teams missing from the list');
            r.forEach((t) => checkTeam(t, c));
        }
    });
    await call('list teams, paged', 'getTeams', async () => [await client.getTeams(0, 1), await client.getTeams(1, 1)], (r, c) => {
        if (c.array(r[0], 'page 0') && c.array(r[1], 'page 1')) {
            c.equal(r[0].length, 1, 'page 0 length');
            c.equal(r[1].length, 1, 'page 1 length');
            c.that(r[0][0] && r[1][0] && r[0][0].id !== r[1][0].id, 'pages overlap');
        }
    });
    await call('list teams with total count', 'getTeams', () => client.getTeams(0, 60, true), (r, c) => {
        if (c.object(r)) {
            c.array(r.teams, 'teams');
            c.that(Number.isInteger(r.total_count) && r.total_count >= 2, `total_count: ${JSON.stringify(r.total_count)}`);
        }
    });
    await call('team by name', 'getTeamByName', () => client.getTeamByName('oc-alpha'),
        (r, c) => checkTeam(r, c, {id: teamId, name: 'oc-alpha'}));
    await call('team by id', 'getTeam', () => client.getTeam(teamId), (r, c) => checkTeam(r, c, {id: teamId}));
    await call('patch team', 'patchTeam',
        () => client.patchTeam({id: teamId, display_name: 'OC Alpha Prime', description: 'patched by Client4'}),
        (r, c) => checkTeam(r, c, {id: teamId, display_name: 'OC Alpha Prime', description: 'patched by Client4'}));
    // Client4 11.x has no method for PUT /teams/{id}/privacy (mmrc uses it): the client's own
    // doFetch, i.e. the same request/response/error handling as every named method.
    await call('team privacy → I', 'doFetch PUT /teams/{id}/privacy (no named method)',
        () => client.doFetch(`${client.getTeamRoute(teamId)}/privacy`, {method: 'put', body: JSON.stringify({privacy: 'I'})}),
        (r, c) => checkTeam(r, c, {id: teamId, type: 'I', allow_open_invite: false}));
    await call('team privacy → O', 'doFetch PUT /teams/{id}/privacy (no named method)',
        () => client.doFetch(`${client.getTeamRoute(teamId)}/privacy`, {method: 'put', body: JSON.stringify({privacy: 'O'})}),
        (r, c) => checkTeam(r, c, {id: teamId, type: 'O', allow_open_invite: true}));
    await call('my teams', 'getTeamsForUser', () => client.getTeamsForUser('me'), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'id', teamId), 'created team missing');
        }
    });
    await call('my team memberships', 'getTeamMembersForUser', () => client.getTeamMembersForUser(me && me.id), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'team_id', teamId), 'created team missing');
        }
    });

    // users
    const user1 = await call('create user', 'createUser',
        () => client.createUser({username: 'oc-user1', email: 'oc-user1@example.com', password: 'Sandbox-password-1'}, '', ''),
        (r, c) => checkUser(r, c, {username: 'oc-user1', email: 'oc-user1@example.com', roles: 'system_user'}), 201);
    const user2 = await call('create second user', 'createUser',
        () => client.createUser({username: 'oc-user2', email: 'oc-user2@example.com', password: 'Sandbox-password-2', first_name: 'Oc'}, '', ''),
        (r, c) => checkUser(r, c, {username: 'oc-user2', first_name: 'Oc'}), 201);
    const user1Id = user1 && user1.id;
    const user2Id = user2 && user2.id;
    await call('users by usernames', 'getProfilesByUsernames', () => client.getProfilesByUsernames(['oc-user1', 'oc-user2', 'oc-nobody']), (r, c) => {
        if (c.array(r)) {
            c.equal(r.length, 2, 'number of users');
            c.that(includesBy(r, 'id', user1Id) && includesBy(r, 'id', user2Id), 'created users missing');
            r.forEach((u) => checkUser(u, c));
        }
    });
    await call('users by ids', 'getProfilesByIds', () => client.getProfilesByIds([user1Id, user2Id]), (r, c) => {
        if (c.array(r)) {
            c.equal(r.length, 2, 'number of users');
        }
    });
    await call('user by username', 'getUserByUsername', () => client.getUserByUsername('oc-user1'),
        (r, c) => checkUser(r, c, {id: user1Id, username: 'oc-user1'}));

    // team members
    await call('add team member', 'addToTeam', () => client.addToTeam(teamId, user1Id),
        (r, c) => checkTeamMember(r, c, teamId, user1Id), 201);
    await call('add team members (batch)', 'addUsersToTeam', () => client.addUsersToTeam(teamId, [user2Id]), (r, c) => {
        if (c.array(r)) {
            c.equal(r.length, 1, 'number of members');
            checkTeamMember(r[0], c, teamId, user2Id);
        }
    }, 201);
    await call('team members', 'getTeamMembers', () => client.getTeamMembers(teamId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'user_id', user1Id) && includesBy(r, 'user_id', user2Id), 'added members missing');
        }
    });
    await call('team member', 'getTeamMember', () => client.getTeamMember(teamId, user1Id),
        (r, c) => checkTeamMember(r, c, teamId, user1Id));

    // channels
    const channel = await call('create channel', 'createChannel',
        () => client.createChannel({team_id: teamId, name: 'oc-town', display_name: 'OC Town', type: 'O', purpose: 'p', header: 'h'}),
        (r, c) => checkChannel(r, c, {team_id: teamId, name: 'oc-town', display_name: 'OC Town', type: 'O', purpose: 'p', header: 'h', delete_at: 0}), 201);
    const channelId = channel && channel.id;
    await callFails('create channel with a taken name', 'createChannel',
        () => client.createChannel({team_id: teamId, name: 'oc-town', display_name: 'OC Town again', type: 'O'}),
        400, 'store.sql_channel.save_channel.exists.app_error');
    await call('channel by name', 'getChannelByName', () => client.getChannelByName(teamId, 'oc-town'),
        (r, c) => checkChannel(r, c, {id: channelId}));
    await call('channel by team and channel name', 'getChannelByNameAndTeamName', () => client.getChannelByNameAndTeamName('oc-alpha', 'oc-town'),
        (r, c) => checkChannel(r, c, {id: channelId}));
    await call('channel by id', 'getChannel', () => client.getChannel(channelId), (r, c) => checkChannel(r, c, {id: channelId}));
    await call('team public channels', 'getChannels', () => client.getChannels(teamId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'id', channelId), 'created channel missing');
            c.that(includesBy(r, 'name', 'town-square'), 'town-square missing');
        }
    });
    if (typeof client.getAllChannels === 'function') {
        await call('all channels', 'getAllChannels', () => client.getAllChannels(0, 60), (r, c) => {
            if (c.array(r)) {
                const found = r.find((item) => item && item.id === channelId);
                if (c.that(found, 'created channel missing')) {
                    c.equal(found.team_name, 'oc-alpha', 'team_name');
                    c.equal(found.team_display_name, 'OC Alpha Prime', 'team_display_name');
                }
            }
        });
        await call('all channels with total count', 'getAllChannels', () => client.getAllChannels(0, 60, '', false, true), (r, c) => {
            if (c.object(r)) {
                c.array(r.channels, 'channels');
                c.that(Number.isInteger(r.total_count) && r.total_count >= 1, `total_count: ${JSON.stringify(r.total_count)}`);
            }
        });
    }
    await call('patch channel', 'patchChannel',
        () => client.patchChannel(channelId, {display_name: 'OC Town Hall', purpose: 'patched', header: 'by Client4'}),
        (r, c) => checkChannel(r, c, {id: channelId, display_name: 'OC Town Hall', purpose: 'patched', header: 'by Client4'}));
    await call('channel privacy → P', 'updateChannelPrivacy', () => client.updateChannelPrivacy(channelId, 'P'),
        (r, c) => checkChannel(r, c, {id: channelId, type: 'P'}));
    await call('channel privacy → O', 'updateChannelPrivacy', () => client.updateChannelPrivacy(channelId, 'O'),
        (r, c) => checkChannel(r, c, {id: channelId, type: 'O'}));

    // channel members
    await call('add channel member', 'addToChannel', () => client.addToChannel(user1Id, channelId),
        (r, c) => checkChannelMember(r, c, channelId, user1Id), 201);
    await call('add channel member again (idempotent)', 'addToChannel', () => client.addToChannel(user1Id, channelId),
        (r, c) => checkChannelMember(r, c, channelId, user1Id), 201);
    await call('channel members', 'getChannelMembers', () => client.getChannelMembers(channelId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'user_id', user1Id), 'added member missing');
            r.forEach((m) => checkChannelMember(m, c, channelId, m && m.user_id));
        }
    });
    await call('channel member', 'getChannelMember', () => client.getChannelMember(channelId, user1Id),
        (r, c) => checkChannelMember(r, c, channelId, user1Id));
    await call('my channel memberships in a team', 'getMyChannelMembers', () => client.getMyChannelMembers(teamId), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'channel_id', channelId), 'created channel missing');
        }
    });
    await call('remove channel member', 'removeFromChannel', () => client.removeFromChannel(user1Id, channelId),
        (r, c) => c.statusOK(r));
    await callFails('channel member after removal', 'getChannelMember', () => client.getChannelMember(channelId, user1Id),
        404, 'app.channel.get_member.missing.app_error');

    // moderations
    await call('channel moderations', 'getChannelModerations', () => client.getChannelModerations(channelId), (r, c) => {
        const byName = checkModerations(r, c);
        if (byName.create_post) {
            c.equal(byName.create_post.members.value, true, 'create_post members value');
        }
    });
    await call('patch channel moderations', 'patchChannelModerations',
        () => client.patchChannelModerations(channelId, [{name: 'create_post', roles: {members: false}}]), (r, c) => {
            const byName = checkModerations(r, c);
            if (byName.create_post) {
                c.equal(byName.create_post.members.value, false, 'create_post members value');
            }
        });
    await call('restore channel moderations', 'patchChannelModerations',
        () => client.patchChannelModerations(channelId, [{name: 'create_post', roles: {members: true}}]), (r, c) => {
            const byName = checkModerations(r, c);
            if (byName.create_post) {
                c.equal(byName.create_post.members.value, true, 'create_post members value');
            }
        });

    // archive / unarchive a channel
    await call('delete channel', 'deleteChannel', () => client.deleteChannel(channelId), (r, c) => c.statusOK(r));
    await callFails('archived channel by name without include_deleted', 'getChannelByName', () => client.getChannelByName(teamId, 'oc-town'),
        404, 'app.channel.get_by_name.missing.app_error');
    await call('archived channel by name with include_deleted', 'getChannelByName', () => client.getChannelByName(teamId, 'oc-town', true), (r, c) => {
        checkChannel(r, c, {id: channelId});
        c.millis(r && r.delete_at, 'channel.delete_at');
    });
    await call('archived channels', 'getArchivedChannels', () => client.getArchivedChannels(teamId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'id', channelId), 'archived channel missing');
        }
    });
    await call('unarchive channel', 'unarchiveChannel', () => client.unarchiveChannel(channelId),
        (r, c) => checkChannel(r, c, {id: channelId, delete_at: 0}));

    // bots (creating one needs ServiceSettings.EnableBotAccountCreation, off by default)
    await call('allow bot creation', 'patchConfig', () => client.patchConfig({ServiceSettings: {EnableBotAccountCreation: true}}), (r, c) => {
        if (c.object(r) && c.object(r.ServiceSettings, 'ServiceSettings')) {
            c.equal(r.ServiceSettings.EnableBotAccountCreation, true, 'ServiceSettings.EnableBotAccountCreation');
        }
    });
    const bot = await call('create bot', 'createBot',
        () => client.createBot({username: 'oc-bot', display_name: 'OC Bot', description: 'made by Client4'}),
        (r, c) => checkBot(r, c, {username: 'oc-bot', display_name: 'OC Bot', description: 'made by Client4', delete_at: 0, owner_id: me && me.id}), 201);
    const botId = bot && bot.user_id;
    await call('list bots', 'getBots', () => client.getBots(0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'user_id', botId), 'created bot missing');
        }
    });
    await call('bot', 'getBot', () => client.getBot(botId), (r, c) => checkBot(r, c, {user_id: botId}));
    await call('patch bot', 'patchBot', () => client.patchBot(botId, {display_name: 'OC Bot 2', description: 'patched'}),
        (r, c) => checkBot(r, c, {user_id: botId, display_name: 'OC Bot 2', description: 'patched'}));
    await call('disable bot', 'disableBot', () => client.disableBot(botId), (r, c) => {
        checkBot(r, c, {user_id: botId});
        c.millis(r && r.delete_at, 'bot.delete_at');
    });
    await call('list bots without disabled', 'getBots', () => client.getBots(0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(!includesBy(r, 'user_id', botId), 'disabled bot listed');
        }
    });
    await call('list bots including disabled', 'getBotsIncludeDeleted', () => client.getBotsIncludeDeleted(0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'user_id', botId), 'disabled bot missing');
        }
    });
    await call('enable bot', 'enableBot', () => client.enableBot(botId), (r, c) => checkBot(r, c, {user_id: botId, delete_at: 0}));

    // incoming webhooks
    const incoming = await call('create incoming webhook', 'createIncomingWebhook',
        () => client.createIncomingWebhook({channel_id: channelId, display_name: 'OC in', description: 'd', channel_locked: true}), (r, c) => {
            if (c.object(r)) {
                c.id(r.id, 'hook.id');
                c.equal(r.channel_id, channelId, 'channel_id');
                c.equal(r.team_id, teamId, 'team_id');
                c.equal(r.display_name, 'OC in', 'display_name');
                c.equal(r.channel_locked, true, 'channel_locked');
            }
        }, 201);
    const incomingId = incoming && incoming.id;
    await call('incoming webhook', 'getIncomingWebhook', () => client.getIncomingWebhook(incomingId), (r, c) => {
        if (c.object(r)) {
            c.equal(r.id, incomingId, 'id');
        }
    });
    await call('incoming webhooks of a team', 'getIncomingWebhooks', () => client.getIncomingWebhooks(teamId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'id', incomingId), 'created hook missing');
        }
    });
    await call('update incoming webhook', 'updateIncomingWebhook',
        () => client.updateIncomingWebhook({...incoming, display_name: 'OC in 2', description: 'updated'}), (r, c) => {
            if (c.object(r)) {
                c.equal(r.id, incomingId, 'id');
                c.equal(r.display_name, 'OC in 2', 'display_name');
                c.equal(r.description, 'updated', 'description');
            }
        }, 201);

    // outgoing webhooks
    const outgoing = await call('create outgoing webhook', 'createOutgoingWebhook',
        () => client.createOutgoingWebhook({
            team_id: teamId, channel_id: channelId, display_name: 'OC out', description: 'd', trigger_words: ['ocword'],
            trigger_when: 0, callback_urls: ['http://example.com/oc'], content_type: 'application/json',
        }), (r, c) => {
            if (c.object(r)) {
                c.id(r.id, 'hook.id');
                c.that(typeof r.token === 'string' && r.token.length === 26, 'token');
                c.equal(r.team_id, teamId, 'team_id');
                c.that(Array.isArray(r.trigger_words) && r.trigger_words[0] === 'ocword', 'trigger_words');
                c.that(Array.isArray(r.callback_urls) && r.callback_urls[0] === 'http://example.com/oc', 'callback_urls');
            }
        }, 201);
    const outgoingId = outgoing && outgoing.id;
    await call('outgoing webhook', 'getOutgoingWebhook', () => client.getOutgoingWebhook(outgoingId), (r, c) => {
        if (c.object(r)) {
            c.equal(r.id, outgoingId, 'id');
        }
    });
    await call('outgoing webhooks of a team', 'getOutgoingWebhooks', () => client.getOutgoingWebhooks('', teamId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'id', outgoingId), 'created hook missing');
        }
    });
    await call('update outgoing webhook', 'updateOutgoingWebhook',
        () => client.updateOutgoingWebhook({...outgoing, display_name: 'OC out 2', trigger_words: ['ocword', 'other']}), (r, c) => {
            if (c.object(r)) {
                c.equal(r.display_name, 'OC out 2', 'display_name');
                c.that(Array.isArray(r.trigger_words) && r.trigger_words.length === 2, 'trigger_words');
            }
        });
    await call('regenerate outgoing webhook token', 'regenOutgoingHookToken', () => client.regenOutgoingHookToken(outgoingId), (r, c) => {
        if (c.object(r)) {
            c.equal(r.id, outgoingId, 'id');
            c.that(typeof r.token === 'string' && r.token.length === 26 && r.token !== (outgoing && outgoing.token), 'token not regenerated');
        }
    });

    // slash commands
    const command = await call('create command', 'addCommand',
        () => client.addCommand({
            team_id: teamId, trigger: 'occmd', method: 'P', url: 'http://example.com/cmd', display_name: 'OC cmd',
            description: 'd', auto_complete: true, auto_complete_desc: 'desc', auto_complete_hint: '[x]', username: '', icon_url: '',
        }), (r, c) => {
            if (c.object(r)) {
                c.id(r.id, 'command.id');
                c.that(typeof r.token === 'string' && r.token.length === 26, 'token');
                c.equal(r.trigger, 'occmd', 'trigger');
                c.equal(r.team_id, teamId, 'team_id');
                c.equal(r.delete_at, 0, 'delete_at');
            }
        }, 201);
    const commandId = command && command.id;
    await call('custom team commands', 'getCustomTeamCommands', () => client.getCustomTeamCommands(teamId), (r, c) => {
        if (c.array(r)) {
            c.that(includesBy(r, 'id', commandId), 'created command missing');
        }
    });
    await call('edit command', 'editCommand', () => client.editCommand({...command, description: 'edited', trigger: 'occmd2'}), (r, c) => {
        if (c.object(r)) {
            c.equal(r.id, commandId, 'id');
            c.equal(r.description, 'edited', 'description');
            c.equal(r.trigger, 'occmd2', 'trigger');
        }
    });
    await call('regenerate command token', 'regenCommandToken', () => client.regenCommandToken(commandId), (r, c) => {
        if (c.object(r)) {
            c.that(typeof r.token === 'string' && r.token.length === 26 && r.token !== (command && command.token), 'token not regenerated');
        }
    });

    // config, roles, audits
    await call('config', 'getConfig', () => client.getConfig(), (r, c) => {
        if (c.object(r) && c.object(r.TeamSettings, 'TeamSettings')) {
            c.object(r.ServiceSettings, 'ServiceSettings');
            c.that(Number.isInteger(r.TeamSettings.MaxUsersPerTeam), 'TeamSettings.MaxUsersPerTeam');
        }
    });
    await call('patch config', 'patchConfig', () => client.patchConfig({TeamSettings: {MaxUsersPerTeam: 77}}), (r, c) => {
        if (c.object(r) && c.object(r.TeamSettings, 'TeamSettings')) {
            c.equal(r.TeamSettings.MaxUsersPerTeam, 77, 'TeamSettings.MaxUsersPerTeam');
        }
    });
    // null without MM_* pins (Go's nil map), an object with them
    await call('environment config', 'getEnvironmentConfig', () => client.getEnvironmentConfig(), (r, c) => r === null || c.object(r));
    await call('roles by names', 'getRolesByNames', () => client.getRolesByNames(['system_user', 'team_user', 'channel_user']), (r, c) => {
        if (c.array(r)) {
            c.equal(r.length, 3, 'number of roles');
            for (const role of r) {
                if (c.object(role, 'role')) {
                    c.id(role.id, 'role.id');
                    c.that(Array.isArray(role.permissions) && role.permissions.length > 0, `role ${role.name} permissions`);
                    c.that(typeof role.scheme_managed === 'boolean', `role ${role.name} scheme_managed`);
                }
            }
        }
    });
    await call('audits', 'getAudits', () => client.getAudits(0, 60), (r, c) => {
        if (c.array(r)) {
            r.slice(0, 5).forEach((a) => c.that(a && typeof a.action === 'string' && Number.isInteger(a.create_at), 'audit shape'));
        }
    });

    // cleanup: deletions (the other half of each kind's lifecycle)
    await call('delete command', 'deleteCommand', () => client.deleteCommand(commandId), (r, c) => c.statusOK(r));
    await call('custom team commands after delete', 'getCustomTeamCommands', () => client.getCustomTeamCommands(teamId), (r, c) => {
        if (c.array(r)) {
            c.that(!includesBy(r, 'id', commandId), 'deleted command listed');
        }
    });
    await call('delete outgoing webhook', 'removeOutgoingWebhook', () => client.removeOutgoingWebhook(outgoingId), (r, c) => c.statusOK(r));
    await call('delete incoming webhook', 'removeIncomingWebhook', () => client.removeIncomingWebhook(incomingId), (r, c) => c.statusOK(r));
    await callFails('incoming webhook after delete', 'getIncomingWebhook', () => client.getIncomingWebhook(incomingId),
        404, 'app.webhooks.get_incoming.app_error');
    await call('remove team member', 'removeFromTeam', () => client.removeFromTeam(teamId, user2Id), (r, c) => c.statusOK(r));
    await call('team members after removal', 'getTeamMembers', () => client.getTeamMembers(teamId, 0, 60), (r, c) => {
        if (c.array(r)) {
            c.that(!includesBy(r, 'user_id', user2Id), 'removed member listed');
        }
    });
    await call('delete (archive) team', 'deleteTeam', () => client.deleteTeam(teamId), (r, c) => c.statusOK(r));
    await call('archived team by id', 'getTeam', () => client.getTeam(teamId), (r, c) => {
        checkTeam(r, c, {id: teamId});
        c.millis(r && r.delete_at, 'team.delete_at');
    });
    await call('restore team', 'unarchiveTeam', () => client.unarchiveTeam(teamId), (r, c) => checkTeam(r, c, {id: teamId, delete_at: 0}));

    // error paths
    await callFails('team by unknown name', 'getTeamByName', () => client.getTeamByName('oc-no-such-team'),
        404, 'app.team.get_by_name.missing.app_error');
    await callFails('bad token', 'getMe', () => newClient('nosuchtoken00000000000000a').getMe(),
        401, 'api.context.session_expired.app_error');
    await callFails('no token', 'getMe', () => newClient('').getMe(),
        401, 'api.context.session_expired.app_error');

    await call('server version seen by the client', 'getServerVersion', async () => client.getServerVersion(), (r, c) => {
        c.that(typeof r === 'string' && /^\d+\.\d+\.\d+/.test(r), `X-Version-Id not picked up: ${JSON.stringify(r)}`);
    });
}

main().catch((err) => {
    calls.push({name: 'script', method: '-', ok: false, error: describeError(err)});
}).finally(() => {
    const failed = calls.filter((entry) => !entry.ok);
    const report = {
        client: {name: '@mattermost/client', version: clientVersion, node: process.version},
        server: {url, version_id: client.getServerVersion()},
        passed: calls.length - failed.length,
        failed: failed.length,
        failures: failed.map((entry) => entry.name),
        calls,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.exitCode = failed.length ? 1 : 0;
});
