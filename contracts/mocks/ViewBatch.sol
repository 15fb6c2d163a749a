// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ViewBatch
/// @notice Test helper: many view calls answered by one `eth_call`, so the stateful invariant test
///         can read the whole platform after every step (Ganache spends several milliseconds on
///         each RPC call, not on the calls inside one). Every call is a static call; a reverting
///         one reports its revert data instead of failing the batch.
contract ViewBatch {
    error LengthMismatch(uint256 targets, uint256 calls);

    /// @return ok Whether each call succeeded.
    /// @return answers Each call's return data, or its revert data when it failed.
    function read(address[] calldata targets, bytes[] calldata calls)
        external
        view
        returns (bool[] memory ok, bytes[] memory answers)
    {
        if (targets.length != calls.length) revert LengthMismatch(targets.length, calls.length);
        ok = new bool[](targets.length);
        answers = new bytes[](targets.length);
        for (uint256 i; i < targets.length; ++i) {
            (ok[i], answers[i]) = targets[i].staticcall(calls[i]);
        }
    }
}
