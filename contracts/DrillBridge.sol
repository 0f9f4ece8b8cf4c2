// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title DrillBridge
/// @notice The target of `firebreak drill --scenario bridge-outflow`: the release side
/// of a bridge holding liquidity, whose message check is broken the way real bridges'
/// were. `release` accepts an "attestation" anyone can compute (a hash of the transfer,
/// not a signature of the bridge's validators), so anyone can withdraw. The
/// containment is the bridge's own: a guardian freezes it (GUARDIAN_ROLE); only the
/// admin unfreezes.
/// @dev VULNERABLE ON PURPOSE. Never deploy it anywhere but a throw-away local chain.
contract DrillBridge is AccessControl {
    /// @notice May freeze the bridge.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    bool private _frozen;
    /// @notice Whether the inbound transfer with this id has been released.
    mapping(bytes32 transferId => bool) public released;

    event LiquidityAdded(address indexed from, uint256 amount);
    event Released(bytes32 indexed transferId, address indexed to, uint256 amount);
    event Frozen(address account);
    event Unfrozen(address account);

    error BridgeFrozen();
    error BridgeNotFrozen();
    error AlreadyReleased(bytes32 transferId);
    error InvalidAttestation();
    error ZeroAddress();
    error TransferFailed();

    constructor(address admin, address guardian) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    modifier whenNotFrozen() {
        if (_frozen) revert BridgeFrozen();
        _;
    }

    /// @notice Adds msg.value to the bridge's liquidity.
    receive() external payable {
        emit LiquidityAdded(msg.sender, msg.value);
    }

    /// @notice Whether release is frozen.
    function frozen() external view returns (bool) {
        return _frozen;
    }

    /// @notice The "attestation" release checks.
    /// @dev THE BUG: anyone can compute it.
    function attestation(address to, uint256 amount, bytes32 transferId) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), to, amount, transferId));
    }

    /// @notice Releases amount wei to `to` for the inbound transfer transferId, once.
    function release(address to, uint256 amount, bytes32 transferId, bytes32 att) external whenNotFrozen {
        if (to == address(0)) revert ZeroAddress();
        if (released[transferId]) revert AlreadyReleased(transferId);
        if (att != attestation(to, amount, transferId)) revert InvalidAttestation();
        released[transferId] = true;
        emit Released(transferId, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Freezes release.
    function freeze() external onlyRole(GUARDIAN_ROLE) whenNotFrozen {
        _frozen = true;
        emit Frozen(msg.sender);
    }

    /// @notice Lifts the freeze; only the admin may.
    function unfreeze() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_frozen) revert BridgeNotFrozen();
        _frozen = false;
        emit Unfrozen(msg.sender);
    }
}
